namespace Portal.Core.Segments;

/// <summary>What a segment's refresh history grid sorts by (started: the newest first by default).</summary>
public enum RefreshHistorySortField
{
    Started,
    Result,
    Rows,
    Duration,
}
