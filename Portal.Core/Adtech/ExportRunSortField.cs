namespace Portal.Core.Adtech;

/// <summary>What the export runs grid sorts by (started: the newest first by default).</summary>
public enum ExportRunSortField
{
    Started,
    Audience,
    Adtech,
    Status,
    Sent,
    Added,
    MatchRate,
    Rejected,
    InvalidValues,
    Duration,
    HttpStatus,
}
