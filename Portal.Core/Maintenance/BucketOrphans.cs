using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Uploads;

namespace Portal.Core.Maintenance;

/// <summary>
/// Removes bucket files nothing refers to any more, once they are older than <see cref="RetentionOptions.OrphanFileHours"/>:
/// an audience's member data (<c>data/&lt;name&gt;.parquet.gz</c>), sync snapshots (<c>sync/&lt;name&gt;/</c>) and saved
/// versions (<c>history/&lt;name&gt;/</c>) once its state file is gone and no export of it is running; uploaded CSV files
/// in <c>uploads/incoming/</c> that no job names (a failed import's file stays while its job does, so it can be
/// retried); and what <see cref="ImportLeftovers"/> removes at start-up, when no import is running. State files,
/// datasets the catalog names and the drop folder (<c>incoming/</c>, people's own files) are never touched, and a
/// file whose name is not the shape described is left alone.
/// </summary>
public sealed class BucketOrphans(IDbContextFactory<PortalDbContext> dbFactory, IBucket bucket, ImportLeftovers importLeftovers,
    IOptions<RetentionOptions> options, TimeProvider clock)
{
    private const string MemberDataSuffix = ".parquet.gz";

    /// <summary>Removes the orphans; <paramref name="onRemoved"/> gets the running count. Returns how many files went.</summary>
    public async Task<int> RemoveAsync(Func<int, Task> onRemoved, CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddHours(-Math.Max(0, options.Value.OrphanFileHours));
        var audiences = await LiveAudiencesAsync(cancellationToken);
        var removed = 0;
        async Task RemoveAsync(string path)
        {
            await bucket.DeleteAsync(path, cancellationToken);
            removed++;
            if (removed % 100 == 0)
            {
                await onRemoved(removed);
            }
        }

        await foreach (var item in bucket.ListAsync(AudienceCatalog.DataFolder, cancellationToken))
        {
            var file = item.Path[(item.Path.LastIndexOf('/') + 1)..];
            if (item.LastModified < cutoff && file.EndsWith(MemberDataSuffix, StringComparison.Ordinal)
                && !audiences.Contains(file[..^MemberDataSuffix.Length]))
            {
                await RemoveAsync(item.Path);
            }
        }

        foreach (var folder in new[] { MirrorSnapshot.Folder, AudienceEditor.HistoryFolder })
        {
            await foreach (var item in bucket.ListAllAsync(folder, cancellationToken))
            {
                // <folder>/<audience>/<file>: only files inside an audience's folder
                var rest = item.Path[(folder.Length + 1)..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                if (item.LastModified < cutoff && slash > 0 && !audiences.Contains(rest[..slash]))
                {
                    await RemoveAsync(item.Path);
                }
            }
        }

        var named = await JobPayloadsAsync(cancellationToken);
        await foreach (var item in bucket.ListAsync(DatasetFiles.UploadsFolder, cancellationToken))
        {
            if (item.LastModified < cutoff && !named.Any(p => p.Contains(item.Path, StringComparison.Ordinal)))
            {
                await RemoveAsync(item.Path);
            }
        }

        if (!await ImportRunningAsync(cancellationToken))
        {
            removed += await importLeftovers.CleanAsync(cancellationToken, cutoff);
        }

        await onRemoved(removed);
        return removed;
    }

    /// <summary>
    /// Audiences whose files are kept: every state file's name, and every audience with an export running (ignoring case,
    /// as audience names are unique ignoring case).
    /// </summary>
    private async Task<HashSet<string>> LiveAudiencesAsync(CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await foreach (var item in bucket.ListAsync(AudienceCatalog.StateFolder, cancellationToken))
        {
            names.Add(AudienceStateParser.NameFromFile(item.Path));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        names.UnionWith(await db.ExportRuns.AsNoTracking().Where(r => r.Status == ExportRunStatus.Running).Select(r => r.Audience).Distinct().ToListAsync(cancellationToken));
        return names;
    }

    /// <summary>The payloads of the import jobs still in the table, whatever their status.</summary>
    private async Task<List<string>> JobPayloadsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().Where(j => j.Payload != null && j.Kind == DatasetImportJob.Kind)
            .Select(j => j.Payload!).ToListAsync(cancellationToken);
    }

    private async Task<bool> ImportRunningAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AnyAsync(j => j.Status == JobStatus.Running && (j.Kind == DatasetImportJob.Kind || j.Kind == DropFolderScanJob.Kind), cancellationToken);
    }
}
