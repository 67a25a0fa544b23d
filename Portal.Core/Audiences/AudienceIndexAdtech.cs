namespace Portal.Core.Audiences;

/// <summary>
/// One adtech block of an indexed audience: its status there, the id the adtech returned and its last response. A table
/// of its own (audience × adtech), so that the Connectors matrix filters and counts by status and adtech in the database.
/// </summary>
public sealed class AudienceIndexAdtech
{
    public long Id { get; set; }

    public long AudienceId { get; set; }

    /// <summary>The block's place in the file (0 first).</summary>
    public int Position { get; set; }

    public string Key { get; set; } = "";

    public string? Name { get; set; }

    /// <summary>The id the adtech returned on upload.</summary>
    public string? ExternalId { get; set; }

    public AdtechStatus Status { get; set; }

    public string? ResponseDate { get; set; }

    public int? ResponseStatus { get; set; }

    public string? ResponseMessage { get; set; }
}
