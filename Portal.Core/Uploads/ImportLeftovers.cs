using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Audiences;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Maintenance;

namespace Portal.Core.Uploads;

/// <summary>
/// Removes what imports that a stopped process interrupted left in the bucket: every file under
/// <c>uploads/staging/</c> (an import's Parquet before it is stored; deleted when an import ends), and every Parquet
/// file under <c>datasets/</c> that no imported file of the catalog names (a copy made just before a commit that never
/// landed). A file the catalog names is kept whatever happened after its commit. At start-up, before this instance runs
/// a job, everything goes unless another instance on the same database is running jobs (its imports may be writing
/// now): then, as for the daily retention job, which calls it while imports may run, only files older than a cut-off go.
/// </summary>
public sealed partial class ImportLeftovers(IDbContextFactory<PortalDbContext> dbFactory, IBucket bucket, IOptions<JobOptions> jobs,
    IOptions<RetentionOptions> retention, TimeProvider clock, ILogger<ImportLeftovers> logger)
{
    /// <summary>
    /// Removes the leftovers (with <paramref name="olderThan"/>, only those last written before it); returns how many
    /// files were removed.
    /// </summary>
    public Task<int> CleanAsync(CancellationToken cancellationToken = default, DateTime? olderThan = null) =>
        RemoveAsync(_ => Task.FromResult(olderThan), cancellationToken);

    /// <summary>
    /// At start-up: every leftover, or while another instance holds a live lease on a running job, only those older
    /// than <see cref="RetentionOptions.OrphanFileHours"/>.
    /// </summary>
    public Task<int> CleanAtStartAsync(CancellationToken cancellationToken = default) =>
        RemoveAsync(async db =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var instance = jobs.Value.ResolvedInstanceId;
            var othersWork = await db.Jobs.AnyAsync(j => j.Status == JobStatus.Running && j.LeaseOwner != instance && j.LeaseExpiresAt > now,
                cancellationToken);
            return othersWork ? now.AddHours(-Math.Max(0, retention.Value.OrphanFileHours)) : null;
        }, cancellationToken);

    private async Task<int> RemoveAsync(Func<PortalDbContext, Task<DateTime?>> cutoff, CancellationToken cancellationToken)
    {
        // The bucket is listed before the database is read: a file written after the listing is never touched, and
        // a file an import commits before the catalog is read is named by it.
        var staged = await bucket.ListAllAsync(DatasetFiles.StagingFolder, cancellationToken).ToListAsync(cancellationToken);
        var datasets = await bucket.ListAllAsync(DatasetFiles.DatasetsFolder, cancellationToken)
            .Where(i => i.Path.EndsWith(".parquet", StringComparison.Ordinal)).ToListAsync(cancellationToken);
        DateTime? olderThan;
        HashSet<string> stored;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            olderThan = await cutoff(db);
            stored = (await db.ImportedFiles.AsNoTracking()
                .Where(f => f.Status == ImportStatus.Imported && f.StoredPath != null)
                .Select(f => f.StoredPath!)
                .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        }

        var old = (BucketItem i) => olderThan is null || i.LastModified < olderThan;
        var stagedPaths = staged.Where(old).Select(i => i.Path).ToList();
        var orphans = datasets.Where(i => old(i) && !stored.Contains(i.Path)).Select(i => i.Path).ToList();
        foreach (var path in stagedPaths.Concat(orphans))
        {
            await bucket.DeleteAsync(path, cancellationToken);
        }

        if (stagedPaths.Count + orphans.Count > 0)
        {
            LogRemoved(logger, stagedPaths.Count, orphans.Count);
        }

        return stagedPaths.Count + orphans.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed what interrupted imports left: {Staged} staged and {Orphans} stored files no import committed")]
    private static partial void LogRemoved(ILogger logger, int staged, int orphans);
}
