namespace Portal.Core.Rules;

/// <summary>How a combined segment joins the segments it depends on (and its own conditions, when it has any).</summary>
public enum SetOperation
{
    Intersection,
    Union,
    Difference,
}

/// <summary>
/// A segmentation rule (the design's <c>rule_table</c>): a unique name, a condition tree stored as JSON
/// (<see cref="ConditionJson"/>), a cron schedule, the transaction window, and for combined segments the rules it
/// depends on with a set operation. Each rule makes one segment (<see cref="Segments.Segment"/>).
/// </summary>
public sealed class Rule
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>The condition tree in <see cref="ConditionJson"/> format (version 1).</summary>
    public required string Conditions { get; set; }

    /// <summary>Cron (5 or 6 fields, or @daily…); null refreshes only on demand and after the segments it depends on.</summary>
    public string? Schedule { get; set; }

    /// <summary>The transactions "over the rule's window" aggregations read: from (inclusive) and to (inclusive), UTC.</summary>
    public DateTime? StartDate { get; set; }

    public DateTime? EndDate { get; set; }

    /// <summary>Rules whose segments this one combines, in order (DIFFERENCE takes the first minus the others).</summary>
    public List<long> DependsOn { get; set; } = [];

    public SetOperation? Operation { get; set; }

    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }

    /// <summary>Optimistic concurrency: bumped by every save.</summary>
    public int Version { get; set; }
}
