namespace Portal.Core.Adtech;

/// <summary>
/// One adtech's syncs over its audiences, from each audience's latest run there: how many audiences, the latest run
/// of all (<see cref="Last"/>), the members those runs added (an export that created its audience: all it sent) and removed, and the match rate of their reports
/// (matched ÷ members, added up over the audiences that have a report).
/// </summary>
public sealed record AdtechSyncSummary(string AdtechKey, int Audiences, ExportRun Last, long Added, long Removed, long? MatchedLow, long? MatchedHigh, long? Members)
{
    public Matching.MatchRate? MatchRate => Matching.MatchRate.Of(MatchedLow, MatchedHigh, Members);

    /// <summary>Each adtech's summary, by key, of <paramref name="latest"/> (each audience's latest run to each adtech); adtechs without runs are left out.</summary>
    public static IReadOnlyDictionary<string, AdtechSyncSummary> ByAdtech(IEnumerable<ExportRun> latest) =>
        latest.GroupBy(r => r.AdtechKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Of(g.Key, g.ToList())!, StringComparer.Ordinal);

    /// <summary>The summary of <paramref name="latest"/>, each audience's latest run to one adtech; null when there is none.</summary>
    public static AdtechSyncSummary? Of(string adtechKey, IReadOnlyCollection<ExportRun> latest)
    {
        if (latest.Count == 0)
        {
            return null;
        }

        var reported = latest.Where(r => r.MatchRate is not null).ToList();
        return new AdtechSyncSummary(adtechKey, latest.Count, latest.MaxBy(r => r.Id)!, latest.Sum(AddedBy), latest.Sum(r => r.Removed ?? 0),
            reported.Count == 0 ? null : reported.Sum(r => r.MatchedLow ?? r.MatchedHigh ?? 0),
            reported.Count == 0 ? null : reported.Sum(r => r.MatchedHigh ?? r.MatchedLow ?? 0),
            reported.Count == 0 ? null : reported.Sum(r => r.Members ?? 0));
    }

    /// <summary>Members a run added: a sync's accepted adds, or every member the export that created the audience sent.</summary>
    private static long AddedBy(ExportRun run) =>
        run.SyncOutcome is not null ? run.Added ?? 0 : run.Status == ExportRunStatus.Succeeded ? run.MembersSent : 0;
}
