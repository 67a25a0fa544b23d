using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Audiences;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// Removes what imports that a stopped process interrupted left in the bucket, at start-up before any job runs: every
/// file under <c>uploads/staging/</c> (an import's Parquet before it is stored; deleted when an import ends), and every
/// Parquet file under <c>datasets/</c> that no imported file of the catalog names (a copy made just before a commit
/// that never landed). A file the catalog names is kept whatever happened after its commit. The daily retention job
/// calls it too, while imports may run, with a cut-off: only files older than that go.
/// </summary>
public sealed partial class ImportLeftovers(IDbContextFactory<PortalDbContext> dbFactory, IBucket bucket, ILogger<ImportLeftovers> logger)
{
    /// <summary>
    /// Removes the leftovers (with <paramref name="olderThan"/>, only those last written before it); returns how many
    /// files were removed.
    /// </summary>
    public async Task<int> CleanAsync(CancellationToken cancellationToken = default, DateTime? olderThan = null)
    {
        var staged = await bucket.ListAllAsync(DatasetFiles.StagingFolder, cancellationToken)
            .Where(i => olderThan is null || i.LastModified < olderThan)
            .Select(i => i.Path).ToListAsync(cancellationToken);
        HashSet<string> stored;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            stored = (await db.ImportedFiles.AsNoTracking()
                .Where(f => f.Status == ImportStatus.Imported && f.StoredPath != null)
                .Select(f => f.StoredPath!)
                .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        }

        var orphans = await bucket.ListAllAsync(DatasetFiles.DatasetsFolder, cancellationToken)
            .Where(i => i.Path.EndsWith(".parquet", StringComparison.Ordinal) && !stored.Contains(i.Path) && (olderThan is null || i.LastModified < olderThan))
            .Select(i => i.Path)
            .ToListAsync(cancellationToken);
        foreach (var path in staged.Concat(orphans))
        {
            await bucket.DeleteAsync(path, cancellationToken);
        }

        if (staged.Count + orphans.Count > 0)
        {
            LogRemoved(logger, staged.Count, orphans.Count);
        }

        return staged.Count + orphans.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed what interrupted imports left: {Staged} staged and {Orphans} stored files no import committed")]
    private static partial void LogRemoved(ILogger logger, int staged, int orphans);
}
