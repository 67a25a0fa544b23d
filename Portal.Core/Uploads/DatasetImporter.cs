using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Customers;
using Portal.Core.Dashboard;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Core.Uploads;

/// <summary>
/// A file to import: into which dataset and partition, from where in the bucket, for whom. With <paramref name="Force"/>
/// a file whose name was already imported into the dataset replaces that import (<see cref="ImportReplacement"/>)
/// instead of being refused.
/// </summary>
public sealed record ImportRequest(
    string Dataset,
    string? Partition,
    string FileName,
    string SourcePath,
    string ImportedBy,
    ImportSource Source,
    long? JobId = null,
    DateTime? SourceModifiedAt = null,
    bool Force = false);

/// <summary>
/// Imports one CSV file, all or nothing. The file is read once (<see cref="CsvImport"/>: checks, de-duplication against
/// itself and against the keys already stored: those of the partition's files, whose key columns alone are read, or for
/// a dataset loaded into a table, the table's) into a Parquet file
/// staged under <c>uploads/staging/</c>. Then the Parquet is copied to <c>datasets/&lt;name&gt;/&lt;partition&gt;/</c>
/// and one database transaction loads the rows into the dataset's table, recomputes the quarter's
/// <c>campaign_revenues</c>, adds the day's health counters and records the catalog row. If anything fails the copy is
/// deleted and the transaction rolls back; the staged file is always deleted. A rejection (a check) is recorded as
/// such and returned; any other failure is recorded as Failed and thrown, for the job to retry. Imports run one at a
/// time, so the key checks and the aggregate see every earlier import. A forced re-import does the same, with the
/// earlier file's rows leaving the table and the aggregate in the same transaction (<see cref="ImportReplacement"/>).
/// </summary>
public sealed partial class DatasetImporter(
    IDbContextFactory<PortalDbContext> dbFactory,
    IBucket bucket,
    IOptions<UploadOptions> options,
    TimeProvider clock,
    ILogger<DatasetImporter> logger,
    JobQueue? queue = null,
    CustomerDataVersion? customerData = null)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Imports the file and returns its catalog row: Imported, or Rejected with the reason.</summary>
    /// <exception cref="ArgumentException">A source path outside the folder of its source (<see cref="DatasetFiles.SourcePathProblem"/>); nothing was read.</exception>
    /// <exception cref="Exception">Anything but a rejection, after recording the import as Failed; nothing was kept.</exception>
    public async Task<ImportedFile> ImportAsync(ImportRequest request, Func<ImportProgress, CancellationToken, Task>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (DatasetFiles.SourcePathProblem(request.Source, request.SourcePath) is { } problem)
        {
            throw new ArgumentException(problem, nameof(request));
        }

        await _oneAtATime.WaitAsync(cancellationToken);
        ImportedFile file;
        try
        {
            file = await ImportOneAsync(request, progress, cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }

        if (file.Status == ImportStatus.Imported && (file.RowsKept > 0 || request.Force) && DatasetCatalog.Find(file.Dataset)?.Table is not null)
        {
            // What is kept from the customer tables (the rule builder's pickers) is read again.
            customerData?.Changed();
            if (queue is not null)
            {
                // The dashboard's totals read the customer tables: bring them up to date now, not at the nightly run (no
                // queue: a benchmark's importer, with no dashboard).
                await queue.EnqueueAsync(RecomputeDashboardTotalsJob.Kind, SystemPrincipal.Instance,
                    title: $"Recompute dashboard totals (after importing {file.FileName})", cancellationToken: CancellationToken.None);
            }
        }

        if (file.Status == ImportStatus.Imported && progress is not null)
        {
            await progress(new ImportProgress("Imported", file.RowsIn, file.SizeBytes, file.SizeBytes), cancellationToken);
        }

        return file;
    }

    private async Task<ImportedFile> ImportOneAsync(ImportRequest request, Func<ImportProgress, CancellationToken, Task>? progress,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var schema = DatasetCatalog.Find(request.Dataset);
        var partition = request.Partition?.Trim() ?? "";
        if (schema is not null && schema.TryNormalizePartition(partition, out var normalized, out _))
        {
            partition = normalized; // recorded in this form even when another check rejects the file
        }

        var staging = $"{DatasetFiles.StagingFolder}/{Guid.NewGuid():N}.parquet";
        ImportSession? session = null;
        ImportReplacement? replacement = null;
        string? stored = null;
        long size = 0;
        try
        {
            (schema, partition) = DatasetCatalog.Resolve(request.Dataset, request.Partition, request.FileName);
            var committed = request.Force
                ? await EarlierImports.ImportedByJobAsync(dbFactory, schema.Name, request.FileName, request.JobId, cancellationToken)
                : await EarlierImports.RejectIfImportedAsync(dbFactory, schema.Name, request.FileName, cancellationToken, request.JobId);
            if (committed is not null)
            {
                LogAlreadyCommitted(logger, request.FileName, schema.Name, committed.JobId);
                return committed;
            }

            replacement = request.Force ? await ImportReplacement.FindAsync(dbFactory, bucket, schema, request.FileName, cancellationToken) : null;
            var files = await StoredFilesAsync(schema, partition, cancellationToken);
            if (replacement is not null && replacement.Earlier.Partition != partition)
            {
                throw new ImportRejectedException($"'{request.FileName}' was imported into {replacement.Earlier.Partition}: a re-import replaces it there, not in {partition}.",
                    ImportRejection.BadPartition);
            }

            replacement?.LeaveOut(files);
            var keys = new HashSet<UInt128>();
            if (schema.Table is null)
            {
                // A dataset loaded into a table has every stored key in the table's primary key, looked up a batch at a
                // time while reading (TableLookup): holding all of them here would grow with the table.
                foreach (var path in files.GetValueOrDefault(schema.Name) ?? [])
                {
                    await DatasetFiles.AddKeyHashesAsync(bucket, path, schema, keys, cancellationToken);
                }
            }

            // On SQLite the keys read are kept on disk while the file is read; the commit loads the rows from the staged Parquet.
            session = await ImportSession.OpenAsync(dbFactory, schema, cancellationToken);
            var import = new CsvImport(schema, RowDeduplication.For(schema, keys, session.Stage), new TableLookup(dbFactory, replacement?.Keys),
                Math.Max(1, options.Value.RowGroupSize));
            CsvImportResult? result = null;
            await using (var source = await bucket.OpenReadAsync(request.SourcePath, cancellationToken))
            {
                size = source.CanSeek ? source.Length : 0;
                await bucket.WriteAsync(staging, async (parquet, ct) => result = await import.RunAsync(source, parquet, progress, ct), cancellationToken);
            }

            var read = result!;
            size = read.Bytes;
            stored = await FreePathAsync(schema.Name, partition, request.FileName, read.Checksum, cancellationToken);
            List<CampaignRevenue>? revenues = null;
            if (DatasetCatalog.FeedsCampaignRevenues(schema.Name))
            {
                files.TryAdd(schema.Name, []);
                files[schema.Name].Add(staging);
                revenues = await CampaignRevenues.ComputeAsync(bucket, partition, files, cancellationToken);
            }

            await Report(progress, "Storing", read, cancellationToken);
            await DatasetFiles.CopyAsync(bucket, staging, stored, cancellationToken);
            // No progress from here to the commit: on SQLite the job's progress row would wait for this transaction.
            await Report(progress, schema.Table is null ? "Committing" : $"Loading into {schema.Table}", read, cancellationToken);
            var file = await CommitAsync(session, new ImportCommit(request, schema, partition, stored, staging, read, revenues, replacement),
                Elapsed(started), cancellationToken);
            LogImported(logger, request.FileName, schema.Name, partition, file.RowsKept, file.RowsIn);
            if (replacement is not null)
            {
                // committed: the earlier file's rows are gone, and so may its Parquet file be (a leftover is an orphan retention prunes)
                await DeleteQuietlyAsync(replacement.Earlier.StoredPath);
            }

            return file;
        }
        catch (ImportRejectedException rejected)
        {
            await DeleteQuietlyAsync(stored);
            return await RecordAsync(request, schema?.Name ?? Shortened(request.Dataset, 64), partition, ImportStatus.Rejected, rejected.Message,
                rejected.Line, rejected.Column, size, Elapsed(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await DeleteQuietlyAsync(stored);
            throw;
        }
        catch (Exception ex)
        {
            await DeleteQuietlyAsync(stored);
            LogFailed(logger, ex, request.FileName, request.Dataset);
            await RecordAsync(request, schema?.Name ?? Shortened(request.Dataset, 64), partition, ImportStatus.Failed,
                $"{ex.GetType().Name}: {ex.GetBaseException().Message}", null, null, size, Elapsed(started));
            throw;
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }

            await DeleteQuietlyAsync(staging);
        }
    }

    /// <summary>One transaction: the rows into the table, the catalog row, the day's health, the quarter's aggregate.</summary>
    private async Task<ImportedFile> CommitAsync(ImportSession session, ImportCommit commit, long durationMs, CancellationToken cancellationToken)
    {
        var (request, schema, partition, stored, staging, read, revenues, replacement) = commit;
        var now = clock.GetUtcNow().UtcDateTime;
        ImportedFile? file = null;
        await session.CommitAsync(bucket, schema.Table is not null && read.RowsKept > 0 ? staging : null, async (db, ct) =>
        {
            if (replacement is not null)
            {
                await replacement.CheckNothingReferredToIsGoneAsync(db, bucket, schema, read.RowsKept > 0 ? staging : null, ct);
                await replacement.RemoveRowsAsync(db, schema, ct);
            }

            if (schema.Table is not null && read.RowsKept > 0)
            {
                await TableImportSteps.CheckReferencesAsync(db, schema, read, ct);
            }
        }, async (db, ct) =>
        {
            if (schema.Table is not null && (read.RowsKept > 0 || replacement is { Keys.Count: > 0 }))
            {
                await TableImportSteps.MarkReadersStaleAsync(db, schema.Table, now, ct);
            }

            file = await CatalogRowAsync(db, request, schema.Name, ct);
            file.Partition = partition;
            file.StoredPath = stored;
            file.Checksum = read.Checksum;
            file.SizeBytes = read.Bytes;
            file.RowsIn = read.RowsIn;
            file.RowsKept = read.RowsKept;
            file.DroppedDuplicate = read.DroppedDuplicate;
            file.DroppedMissing = read.DroppedMissing;
            file.DroppedExistingKey = read.DroppedExistingKey;
            file.MissingValues = read.MissingValues;
            file.Status = ImportStatus.Imported;
            file.Error = null;
            file.ErrorLine = null;
            file.ErrorColumn = null;
            file.ImportedAt = now;
            file.DurationMs = durationMs;
            await HealthDayRecorder.AddImportAsync(db, schema, read, now, ct);
            if (revenues is not null)
            {
                await db.CampaignRevenues.Where(r => r.Quarter == partition).ExecuteDeleteAsync(ct);
                db.CampaignRevenues.AddRange(revenues);
            }

            if (replacement is not null)
            {
                await replacement.RetireAsync(db, file, now, ct);
            }
        }, cancellationToken);
        return file!;
    }

    /// <summary>Records a rejection or a failure (and a rejection in the day's health) on its own, outside any import transaction.</summary>
    private async Task<ImportedFile> RecordAsync(ImportRequest request, string dataset, string partition, ImportStatus status, string error,
        long? line, string? column, long size, long durationMs)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync();
        var file = await CatalogRowAsync(db, request, dataset, CancellationToken.None);
        file.Partition = Shortened(partition, 32);
        file.StoredPath = null;
        file.Status = status;
        file.Error = Shortened(error, 2000);
        file.ErrorLine = line;
        file.ErrorColumn = column;
        file.SizeBytes = size;
        file.ImportedAt = now;
        file.DurationMs = durationMs;
        if (status == ImportStatus.Rejected)
        {
            await HealthDayRecorder.AddRejectionAsync(db, dataset, now, CancellationToken.None);
        }

        await db.SaveChangesAsync();
        return file;
    }

    /// <summary>The row this import writes: the one an earlier attempt of the same job wrote for the same file, or a new one.</summary>
    private static async Task<ImportedFile> CatalogRowAsync(PortalDbContext db, ImportRequest request, string dataset, CancellationToken cancellationToken)
    {
        var fileName = Shortened(request.FileName, 255);
        var file = request.JobId is { } job
            ? await db.ImportedFiles.FirstOrDefaultAsync(f => f.JobId == job && f.Dataset == dataset && f.FileName == fileName
                && f.Status != ImportStatus.Imported, cancellationToken)
            : null;
        if (file is null)
        {
            file = new ImportedFile { Dataset = dataset, Partition = "", FileName = fileName, ImportedBy = request.ImportedBy };
            db.ImportedFiles.Add(file);
        }

        file.ImportedBy = request.ImportedBy;
        file.Source = request.Source;
        file.JobId = request.JobId;
        file.SourceModifiedAt = request.SourceModifiedAt;
        return file;
    }

    /// <summary>The partition's stored files, by dataset: the dataset's own, and for an ad dataset the quarter's other two.</summary>
    private async Task<Dictionary<string, List<string>>> StoredFilesAsync(DatasetSchema schema, string partition, CancellationToken cancellationToken)
    {
        string[] datasets = DatasetCatalog.FeedsCampaignRevenues(schema.Name)
            ? [DatasetCatalog.Impressions, DatasetCatalog.Clicks, DatasetCatalog.Conversions]
            : [schema.Name];
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ImportedFiles.AsNoTracking()
            .Where(f => datasets.Contains(f.Dataset) && f.Partition == partition && f.Status == ImportStatus.Imported && f.StoredPath != null)
            .Select(f => new { f.Dataset, f.StoredPath })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.Dataset).ToDictionary(g => g.Key, g => g.Select(r => r.StoredPath!).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>The stored file's path: the file's stem, or with the checksum's start when that name is taken (a different file with a similar name).</summary>
    private async Task<string> FreePathAsync(string dataset, string partition, string fileName, string checksum, CancellationToken cancellationToken)
    {
        var folder = DatasetFiles.PartitionFolder(dataset, partition);
        var stem = DatasetFiles.StemOf(fileName);
        foreach (var candidate in new[] { $"{folder}/{stem}.parquet", $"{folder}/{stem}-{checksum[..8]}.parquet" })
        {
            if (!await bucket.ExistsAsync(candidate, cancellationToken))
            {
                return candidate;
            }
        }

        return $"{folder}/{stem}-{Guid.NewGuid():N}.parquet";
    }

    private async Task DeleteQuietlyAsync(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            await bucket.DeleteAsync(path);
        }
#pragma warning disable CA1031 // clean-up must not hide the import's own outcome
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCleanupFailed(logger, ex, path);
        }
    }

    private static Task Report(Func<ImportProgress, CancellationToken, Task>? progress, string stage, CsvImportResult read, CancellationToken cancellationToken) =>
        progress?.Invoke(new ImportProgress(stage, read.RowsIn, read.Bytes, read.Bytes), cancellationToken) ?? Task.CompletedTask;

    private static string Shortened(string text, int length) => text.Length > length ? text[..length] : text;

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported {File} into {Dataset} ({Partition}): kept {Kept} of {Rows} rows")]
    private static partial void LogImported(ILogger logger, string file, string dataset, string partition, long kept, long rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{File} was already imported into {Dataset} by job {JobId} before the portal stopped: nothing to do again")]
    private static partial void LogAlreadyCommitted(ILogger logger, string file, string dataset, long? jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import of {File} into {Dataset} failed")]
    private static partial void LogFailed(ILogger logger, Exception ex, string file, string dataset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete {Path} after an import")]
    private static partial void LogCleanupFailed(ILogger logger, Exception ex, string path);
}
