namespace Portal.Core.Segments;

public enum SegmentStatus
{
    /// <summary>Saved, never refreshed.</summary>
    NeverRun,

    /// <summary>Refreshed after the rule and every segment it depends on last changed.</summary>
    Fresh,

    /// <summary>The rule, or a segment it depends on, changed since the last refresh.</summary>
    Stale,

    /// <summary>The last refresh failed; the members are those of the refresh before it.</summary>
    Failed,

    Refreshing,
}

/// <summary>
/// A rule's segment (the design's <c>segment_catalog</c>): its members live in <c>segment_members</c>; the row count, the
/// exact SQL of the last refresh, when, how long, and the last error are kept here, each refresh in <c>segment_refreshes</c>.
/// </summary>
public sealed class Segment
{
    public long Id { get; set; }
    public long RuleId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>Where the members are: the table <c>segment_members</c>, rows of this segment's id.</summary>
    public string TableName { get; set; } = SegmentMember.Table;

    public long RowCount { get; set; }
    public string? SqlQuery { get; set; }
    public DateTime? LastRefreshedAt { get; set; }
    public long? LastDurationMs { get; set; }
    public SegmentStatus Status { get; set; }
    public string? LastError { get; set; }
    public DateTime? StaleSince { get; set; }
}

/// <summary>One user in one segment (<c>segment_members</c>); a refresh replaces a segment's rows in one transaction.</summary>
public sealed class SegmentMember
{
    public const string Table = "segment_members";

    public long SegmentId { get; set; }
    public long UserId { get; set; }
}

/// <summary>One refresh of a segment (<c>segment_refreshes</c>): the size history, the SQL run, errors.</summary>
public sealed class SegmentRefresh
{
    public long Id { get; set; }
    public long SegmentId { get; set; }
    public long? JobId { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public bool Succeeded { get; set; }
    public long? RowCount { get; set; }
    public long? DurationMs { get; set; }
    public string? SqlQuery { get; set; }
    public string? Error { get; set; }
}
