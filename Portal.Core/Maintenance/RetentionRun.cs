using Portal.Core.Audit;

namespace Portal.Core.Maintenance;

/// <summary>
/// One retention pass: old history rows (jobs, export runs, segment refreshes, audit entries), then orphaned bucket
/// files, with progress after every batch, and one audit entry with the counts.
/// </summary>
public sealed class RetentionRun(RetentionPruner pruner, BucketOrphans orphans, AuditLog audit)
{
    public const int Steps = 5;

    /// <summary>Runs the pass; <paramref name="report"/> gets the step (1 to <see cref="Steps"/>) and what it did so far.</summary>
    public async Task<RetentionResult> RunAsync(string actor, Func<int, string, Task> report, CancellationToken cancellationToken = default)
    {
        // Export runs and refreshes first: a job is kept while the latest of them names it.
        var exportRuns = await pruner.PruneExportRunsAsync(n => report(1, $"Removed {n:N0} old export run(s)"), cancellationToken);
        var refreshes = await pruner.PruneRefreshHistoryAsync(n => report(2, $"Removed {n:N0} old segment refresh(es)"), cancellationToken);
        var jobs = await pruner.PruneJobsAsync(n => report(3, $"Removed {n:N0} old job(s)"), cancellationToken);
        var auditEntries = await pruner.PruneAuditAsync(n => report(4, $"Removed {n:N0} old audit entr(ies)"), cancellationToken);
        // After the jobs: an upload a pruned failed job named is an orphan now.
        var files = await orphans.RemoveAsync(n => report(5, $"Removed {n:N0} orphaned bucket file(s)"), cancellationToken);
        var result = new RetentionResult(jobs, exportRuns, refreshes, auditEntries, files);
        await audit.WriteAsync(actor, "retention.pruned", "maintenance:retention", result.Describe(), cancellationToken);
        return result;
    }
}
