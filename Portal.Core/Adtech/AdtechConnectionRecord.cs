namespace Portal.Core.Adtech;

/// <summary>A stored adtech connection. The access token is kept only encrypted (ASP.NET Data Protection).</summary>
public sealed class AdtechConnectionRecord
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string BaseUrl { get; set; }
    public string? AccountId { get; set; }
    public string? ProtectedToken { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>What the Connectors page shows of a connection: never the token, only whether there is one.</summary>
public sealed record AdtechConnectionInfo(string Key, string BaseUrl, string? AccountId, bool HasToken, DateTime UpdatedAt, string UpdatedBy);
