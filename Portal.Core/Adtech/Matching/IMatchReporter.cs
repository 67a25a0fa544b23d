namespace Portal.Core.Adtech.Matching;

/// <summary>
/// A connector whose adtech reports how many members of an audience it received and matched. Optional: a connector
/// without it records no match figures, and its runs show no match rate.
/// </summary>
public interface IMatchReporter
{
    /// <summary>Reads the adtech's report on the audience <paramref name="audienceId"/> (one read-only request).</summary>
    Task<MatchReport> ReportAsync(AdtechConnection connection, string audienceId, CancellationToken cancellationToken);
}
