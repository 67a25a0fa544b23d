namespace Portal.Core.Lineage;

/// <summary>What a lineage node stands for.</summary>
public enum LineageNodeKind
{
    /// <summary>A customer table (users, credit_card_transactions, upi_transactions).</summary>
    Table,

    /// <summary>An uploaded dataset (added by the uploads' <see cref="ILineageContributor"/>).</summary>
    Dataset,

    /// <summary>An HTTP data source an audience fetches its members from (<c>source.endpoint</c>).</summary>
    DataSource,

    Rule,
    Segment,
    Audience,

    /// <summary>An adtech destination: one node per adtech, with one export edge per audience that goes there.</summary>
    Adtech,

    /// <summary>A background job kind that moves data (segments.refresh, audiences.catalog-run).</summary>
    Job,

    /// <summary>Neighbours a focus view leaves out, of one kind on one side of a shown node (<see cref="LineageSummaries"/>); only in views.</summary>
    Summary,
}

/// <summary>A node's state, mapped from its source's own status (segments, audiences); <see cref="None"/> where there is none.</summary>
public enum LineageStatus
{
    None,
    Fresh,
    Stale,
    Failed,
    NeverRun,
    Refreshing,
}

/// <summary>What an edge means. Every edge points the way data flows: from what is read to what reads it.</summary>
public enum LineageEdgeKind
{
    /// <summary>Table → rule: the rule reads the table (users always; transaction tables per aggregate source).</summary>
    Reads,

    /// <summary>Rule → its segment.</summary>
    Produces,

    /// <summary>Segment → combined segment (the label is the operation: INTERSECTION, UNION, DIFFERENCE).</summary>
    DependsOn,

    /// <summary>Segment → rule whose conditions test membership in it.</summary>
    Membership,

    /// <summary>Segment or HTTP data source → audience.</summary>
    AudienceSource,

    /// <summary>Audience → adtech (the label is the status: POSTED, NOT_POSTED, NOT_FETCHED).</summary>
    Export,

    /// <summary>Job kind → what it writes (segments.refresh → segments, audiences.catalog-run → audiences, uploads.dataset-import → datasets).</summary>
    Runs,

    /// <summary>Uploaded dataset → the table its rows are loaded into (users, the transaction tables).</summary>
    Loads,

    /// <summary>Uploaded dataset → the aggregate it keeps in step (impressions, clicks, conversions → campaign_revenues).</summary>
    Aggregates,
}

/// <summary>
/// One node of the lineage graph. <paramref name="Id"/> is "kind:key" (<c>segment:12</c>, <c>audience:demo_audience</c>,
/// <c>table:users</c>); <paramref name="Domain"/> groups nodes by the data-flow domain they belong to (a job belongs to one domain).
/// </summary>
public sealed record LineageNode(
    string Id,
    LineageNodeKind Kind,
    string Name,
    LineageStatus Status,
    long? RowCount,
    DateTime? LastRefreshedAt,
    string? Link,
    string Domain,
    string? Detail = null);

public sealed record LineageEdge(string Source, string Target, LineageEdgeKind Kind, string? Label = null)
{
    public string Id => $"{Source}->{Target}:{Kind}";
}

/// <summary>The data-flow domains nodes are grouped by (a job belongs to exactly one).</summary>
public static class LineageDomains
{
    /// <summary>Customer tables and uploaded datasets.</summary>
    public const string Customers = "customers";

    /// <summary>Rules, their segments, and the refresh job.</summary>
    public const string Segments = "segments";

    /// <summary>Data sources, audiences, adtechs, and the catalog run.</summary>
    public const string Activation = "activation";

    /// <summary>Jobs that keep the installation tidy (retention), beside the flow.</summary>
    public const string Maintenance = "maintenance";

    /// <summary>The way data flows through the domains: the order their bands are shown in (others follow, by name).</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<string> FlowOrder = [Customers, Segments, Activation];
}
