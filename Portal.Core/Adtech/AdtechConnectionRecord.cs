namespace Portal.Core.Adtech;

/// <summary>A stored adtech connection. The access token is kept only encrypted (ASP.NET Data Protection).</summary>
public sealed class AdtechConnectionRecord
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string BaseUrl { get; set; }
    public string? AccountId { get; set; }
    public string? ProtectedToken { get; set; }

    /// <summary>Google Ads' developer token, encrypted like the access token.</summary>
    public string? ProtectedDeveloperToken { get; set; }

    /// <summary>Google Ads' manager account (<c>login-customer-id</c>), digits only.</summary>
    public string? LoginCustomerId { get; set; }

    /// <summary>Google: the API the connection uses (<see cref="GoogleApi"/>); null is the Data Manager API.</summary>
    public string? Api { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

/// <summary>What the Connectors page shows of a connection: never the tokens, only whether there are any.</summary>
public sealed record AdtechConnectionInfo(string Key, string BaseUrl, string? AccountId, bool HasToken, DateTime UpdatedAt, string UpdatedBy)
{
    public bool HasDeveloperToken { get; init; }
    public string? LoginCustomerId { get; init; }

    /// <summary>Google: the API the connection uses (<see cref="GoogleApi"/>); null is the Data Manager API.</summary>
    public string? Api { get; init; }
}

/// <summary>
/// Connection settings only some adtechs use (Google). A null <see cref="DeveloperToken"/> keeps the stored one and
/// an empty one removes it, as for the access token. <see cref="Api"/>: Google's API (<see cref="GoogleApi"/>; null or
/// empty is the Data Manager API).
/// </summary>
public sealed record ConnectionExtras(string? DeveloperToken = null, string? LoginCustomerId = null, string? Api = null);
