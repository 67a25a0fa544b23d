using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Adtech;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Core.Maintenance;

/// <summary>
/// Deletes history rows older than <see cref="RetentionOptions"/> allows, a batch at a time (each batch one short
/// statement, so no transaction grows with the table). What pages show as "latest" is never deleted: the newest export
/// run of each audience and adtech (the "last sync"), the newest refresh of each segment, the newest finished job of
/// each kind, and the jobs those latest runs and refreshes name (these are read once per pass: a handful of rows per
/// kind, audience × adtech and segment). Queued and running jobs and running export runs are never candidates.
/// </summary>
public sealed class RetentionPruner(IDbContextFactory<PortalDbContext> dbFactory, IOptions<RetentionOptions> options, TimeProvider clock)
{
    private RetentionOptions Options => options.Value;

    /// <summary>Finished jobs older than <see cref="RetentionOptions.JobDays"/>; <paramref name="onBatch"/> gets the running count.</summary>
    public async Task<int> PruneJobsAsync(Func<int, Task> onBatch, CancellationToken cancellationToken = default)
    {
        if (CutoffOf(Options.JobDays) is not { } cutoff)
        {
            return 0;
        }

        // Kept, read once (a few rows per kind, audience × adtech and segment): the newest finished job of each kind
        // (the Jobs page's last run of a schedule), and the jobs of each latest export run and segment refresh.
        List<long> kept;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            kept = await db.Jobs.Where(j => j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled)
                .GroupBy(j => j.Kind).Select(g => g.Max(j => j.Id)).ToListAsync(cancellationToken);
            var runs = await LatestExportRunsAsync(db, cancellationToken);
            kept.AddRange(await db.ExportRuns.Where(r => runs.Contains(r.Id) && r.JobId != null).Select(r => r.JobId!.Value).ToListAsync(cancellationToken));
            var refreshes = await LatestRefreshesAsync(db, cancellationToken);
            kept.AddRange(await db.SegmentRefreshes.Where(r => refreshes.Contains(r.Id) && r.JobId != null).Select(r => r.JobId!.Value).ToListAsync(cancellationToken));
        }

        return await DeleteInBatchesAsync(
            db => db.Jobs.Where(j => (j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled)
                    && j.CreatedAt < cutoff && (j.FinishedAt == null || j.FinishedAt < cutoff) && !kept.Contains(j.Id))
                .Select(j => j.Id),
            (db, ids, ct) => db.Jobs.Where(j => ids.Contains(j.Id) && j.Status != JobStatus.Queued && j.Status != JobStatus.Running).ExecuteDeleteAsync(ct),
            onBatch, cancellationToken);
    }

    /// <summary>Finished export runs older than <see cref="RetentionOptions.ExportRunDays"/>, but never an audience × adtech's latest.</summary>
    public async Task<int> PruneExportRunsAsync(Func<int, Task> onBatch, CancellationToken cancellationToken = default)
    {
        if (CutoffOf(Options.ExportRunDays) is not { } cutoff)
        {
            return 0;
        }

        List<long> kept;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            kept = await LatestExportRunsAsync(db, cancellationToken);
            // the first run of an export a later run continues stays: resuming reads it
            kept.AddRange(await db.ExportRuns.Where(r => r.ResumedFromId != null).Select(r => r.ResumedFromId!.Value).Distinct().ToListAsync(cancellationToken));
        }

        return await DeleteInBatchesAsync(
            db => db.ExportRuns.Where(r => r.Status != ExportRunStatus.Running && r.StartedUtc < cutoff && (r.FinishedUtc == null || r.FinishedUtc < cutoff)
                    && !kept.Contains(r.Id))
                .Select(r => r.Id),
            (db, ids, ct) => db.ExportRuns.Where(r => ids.Contains(r.Id) && r.Status != ExportRunStatus.Running).ExecuteDeleteAsync(ct),
            onBatch, cancellationToken);
    }

    /// <summary>Finished segment refreshes older than <see cref="RetentionOptions.RefreshHistoryDays"/>, but never a segment's latest.</summary>
    public async Task<int> PruneRefreshHistoryAsync(Func<int, Task> onBatch, CancellationToken cancellationToken = default)
    {
        if (CutoffOf(Options.RefreshHistoryDays) is not { } cutoff)
        {
            return 0;
        }

        List<long> kept;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            kept = await LatestRefreshesAsync(db, cancellationToken);
        }

        return await DeleteInBatchesAsync(
            db => db.SegmentRefreshes.Where(r => r.FinishedAt != null && r.StartedAt < cutoff && !kept.Contains(r.Id)).Select(r => r.Id),
            (db, ids, ct) => db.SegmentRefreshes.Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(ct),
            onBatch, cancellationToken);
    }

    /// <summary>The latest export run of each audience and adtech: what the pages show as its last sync.</summary>
    private static Task<List<long>> LatestExportRunsAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        db.ExportRuns.GroupBy(r => new { r.Audience, r.AdtechKey }).Select(g => g.Max(r => r.Id)).ToListAsync(cancellationToken);

    /// <summary>The latest refresh of each segment.</summary>
    private static Task<List<long>> LatestRefreshesAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        db.SegmentRefreshes.GroupBy(r => r.SegmentId).Select(g => g.Max(r => r.Id)).ToListAsync(cancellationToken);

    /// <summary>Audit entries older than <see cref="RetentionOptions.AuditDays"/>.</summary>
    public Task<int> PruneAuditAsync(Func<int, Task> onBatch, CancellationToken cancellationToken = default)
    {
        if (CutoffOf(Options.AuditDays) is not { } cutoff)
        {
            return Task.FromResult(0);
        }

        return DeleteInBatchesAsync(
            db => db.AuditLog.Where(a => a.At < cutoff).Select(a => a.Id),
            (db, ids, ct) => db.AuditLog.Where(a => ids.Contains(a.Id)).ExecuteDeleteAsync(ct),
            onBatch, cancellationToken);
    }

    /// <summary>The moment before which rows of an age of <paramref name="days"/> go; null keeps them forever.</summary>
    private DateTime? CutoffOf(int days) => days <= 0 ? null : clock.GetUtcNow().UtcDateTime.AddDays(-days);

    private async Task<int> DeleteInBatchesAsync(Func<PortalDbContext, IQueryable<long>> candidates,
        Func<PortalDbContext, List<long>, CancellationToken, Task<int>> delete, Func<int, Task> onBatch, CancellationToken cancellationToken)
    {
        var batch = Math.Max(1, Options.BatchSize);
        var total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var ids = await candidates(db).OrderBy(id => id).Take(batch).ToListAsync(cancellationToken);
            var deleted = ids.Count == 0 ? 0 : await delete(db, ids, cancellationToken);
            total += deleted;
            if (deleted > 0)
            {
                await onBatch(total);
            }

            // fewer than a batch: the last one; none deleted of those chosen: they changed meanwhile, try again next run
            if (ids.Count < batch || deleted == 0)
            {
                return total;
            }
        }
    }
}
