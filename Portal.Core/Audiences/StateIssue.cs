namespace Portal.Core.Audiences;

/// <summary>
/// One thing wrong with a state file, with where it is: the file, 1-based line and column, and the field path
/// (e.g. <c>demo_audience.adtechA.audience_type</c>).
/// </summary>
public sealed record StateIssue(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Message}";
}

/// <summary>Where an audience stands with one adtech: the seed's three states.</summary>
public enum AdtechStatus
{
    NotFetched = -1,
    NotPosted = 0,
    Posted = 1,
}

/// <summary>A <c>last_response</c> block: when, the HTTP status, and the message.</summary>
public sealed record LastResponse(string Date, int Status, string Message);
