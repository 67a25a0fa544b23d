namespace Portal.Core.Audiences;

/// <summary>
/// One state file as the audience index keeps it: what the pages, the API and the lineage show of an audience, so that
/// none of them reads or parses the bucket. The bucket stays the source of truth: <see cref="AudienceIndex"/> rewrites a
/// row after each write the portal makes and reconciles the rows with a listing of the bucket. The file's size, time and
/// hash (and those of its member data) tell the reconcile whether it must read the file again.
/// </summary>
public sealed class AudienceIndexRow
{
    public long Id { get; set; }

    /// <summary>The state file's path in the bucket (<c>state/&lt;name&gt;.yml</c>); unique.</summary>
    public string Path { get; set; } = "";

    public string Name { get; set; } = "";

    public string? Description { get; set; }

    /// <summary>The file's own country code, upper-cased (null: the configured default applies).</summary>
    public string? Country { get; set; }

    /// <summary><see cref="AudienceSourceKind"/>: where its members come from.</summary>
    public AudienceSourceKind SourceKind { get; set; }

    /// <summary>The saved segment (a segment source) or the HTTP endpoint (an endpoint source).</summary>
    public string? Source { get; set; }

    public string? SourceResponseDate { get; set; }

    public int? SourceResponseStatus { get; set; }

    public string? SourceResponseMessage { get; set; }

    /// <summary>False for a file the portal cannot parse (or one with issues): it stays in the index, shown as invalid.</summary>
    public bool IsValid { get; set; }

    public int IssueCount { get; set; }

    /// <summary>The first issue, with its file, line, column and field.</summary>
    public string? FirstIssue { get; set; }

    public bool HasMemberData { get; set; }

    public long? Members { get; set; }

    /// <summary>The state file's content hash (the bucket's version of it); empty for a file too large to read.</summary>
    public string Hash { get; set; } = "";

    public long Size { get; set; }

    public DateTime ModifiedUtc { get; set; }

    /// <summary>Size and time of the member data file when there is one: a change makes the reconcile count the members again.</summary>
    public long? DataSize { get; set; }

    public DateTime? DataModifiedUtc { get; set; }

    public DateTime IndexedUtc { get; set; }

    public List<AudienceIndexAdtech> Adtechs { get; set; } = [];
}

/// <summary>Where an audience's members come from.</summary>
public enum AudienceSourceKind
{
    None = 0,
    Segment = 1,
    Endpoint = 2,
}
