using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Core.Uploads;

/// <summary>What one pass over the drop folder did, file by file counted.</summary>
public sealed record DropFolderScanResult(int Imported, int Rejected, int Failed, int Skipped, int Ignored, IReadOnlyList<ImportedFile> Files)
{
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{Imported} imported, {Rejected} rejected, {Failed} failed, {Skipped} already in the catalog, {Ignored} not in a dataset's folder");
}

/// <summary>
/// The last-update compare loop over the bucket's drop folder, <c>incoming/&lt;dataset&gt;/&lt;partition&gt;/*.csv</c>
/// (<c>all</c> for the partition of an unpartitioned dataset): lists the files, compares them with the catalog, and
/// imports the new ones, oldest first. A file whose (dataset, file name) the catalog has as imported is skipped, as is
/// a rejected one that has not changed since (its last-modified time is recorded); a failed one is tried again. Files
/// outside a known dataset's folder are ignored. The files stay where they are.
/// </summary>
public sealed class DropFolderScan(IDbContextFactory<PortalDbContext> dbFactory, IBucket bucket, DatasetImporter importer)
{
    public async Task<DropFolderScanResult> RunAsync(string importedBy, long? jobId, Func<int, int, string, Task>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var candidates = new List<(BucketItem Item, DatasetSchema Schema, string Partition, string FileName)>();
        var ignored = 0;
        await foreach (var item in bucket.ListAllAsync(DatasetFiles.DropFolder, cancellationToken))
        {
            var parts = item.Path.Split('/');
            if (parts.Length == 4 && DatasetCatalog.Find(parts[1]) is { } schema && parts[3].EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                candidates.Add((item, schema, parts[2], parts[3]));
            }
            else
            {
                ignored++;
            }
        }

        List<(string Dataset, string FileName, ImportStatus Status, DateTime? Modified)> known;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var datasets = candidates.Select(c => c.Schema.Name).Distinct().ToList();
            known = (await db.ImportedFiles.AsNoTracking()
                    .Where(f => datasets.Contains(f.Dataset) && f.Status != ImportStatus.Failed)
                    .Select(f => new { f.Dataset, f.FileName, f.Status, f.SourceModifiedAt })
                    .ToListAsync(cancellationToken))
                .Select(f => (f.Dataset, f.FileName, f.Status, f.SourceModifiedAt)).ToList();
        }

        bool Done((BucketItem Item, DatasetSchema Schema, string Partition, string FileName) c) => known.Any(k =>
            k.Dataset == c.Schema.Name && k.FileName == c.FileName
            && (k.Status == ImportStatus.Imported || (k.Status == ImportStatus.Rejected && k.Modified == c.Item.LastModified)));

        var pending = candidates.Where(c => !Done(c)).OrderBy(c => c.Item.LastModified).ThenBy(c => c.Item.Path, StringComparer.Ordinal).ToList();
        var skipped = candidates.Count - pending.Count;
        var files = new List<ImportedFile>();
        int imported = 0, rejected = 0, failed = 0;
        foreach (var (item, schema, partition, fileName) in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (progress is not null)
            {
                await progress(files.Count, pending.Count, $"Importing {item.Path}");
            }

            try
            {
                var file = await importer.ImportAsync(new ImportRequest(schema.Name, partition, fileName, item.Path, importedBy, ImportSource.DropFolder, jobId,
                    item.LastModified), cancellationToken: cancellationToken);
                files.Add(file);
                if (file.Status == ImportStatus.Imported)
                {
                    imported++;
                }
                else
                {
                    rejected++;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++; // recorded as Failed by the importer; tried again on the next pass
            }
        }

        var result = new DropFolderScanResult(imported, rejected, failed, skipped, ignored, files);
        if (progress is not null)
        {
            await progress(pending.Count, pending.Count, result.Summary);
        }

        return result;
    }
}

/// <summary>The drop-folder scan as a job (scheduled every few minutes, or run on demand). Fails, to be retried, when a file failed.</summary>
public sealed class DropFolderScanJob(DropFolderScan scan) : IJobHandler
{
    public const string Kind = "uploads.drop-folder-scan";
    public const string DisplayName = "Import files from the drop folder";

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var result = await scan.RunAsync(job.RequestedBy, job.Id,
            (done, total, message) => job.ReportAsync(done, Math.Max(1, total), message, cancellationToken), cancellationToken);
        if (result.Failed > 0)
        {
            throw new InvalidOperationException($"{result.Failed} file(s) of the drop folder failed to import; they are tried again. {result.Summary}");
        }

        await job.ReportAsync(1, 1, result.Summary, cancellationToken);
    }
}
