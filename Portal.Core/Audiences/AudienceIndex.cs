using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Instances;

namespace Portal.Core.Audiences;

/// <summary>What a reconcile did: files listed, files read again (new or changed), rows removed, and how long it took.</summary>
public sealed record IndexReconcile(int Listed, int Read, int Removed, TimeSpan Took, bool Skipped = false);

/// <summary>
/// Keeps the audience index (<see cref="AudienceIndexRow"/>) in step with the bucket's state files. Each write the portal
/// makes to a state file or to member data is followed by <see cref="RefreshAsync"/> for that audience; files changed
/// outside the portal are found by <see cref="ReconcileAsync"/>: one listing of <c>state/</c> and <c>data/</c> compared
/// with the rows, reading only files whose size or time differ and dropping rows whose file is gone. It runs at
/// start-up and before a read (<see cref="EnsureFreshAsync"/>) when the last one is older than
/// <see cref="AudienceOptions.IndexReconcileSeconds"/>. Between instances sharing the database a shared lock keeps
/// reconciles to one at a time; an instance that finds it taken reads the index as it is. Thread-safe; one for the app.
/// </summary>
public sealed partial class AudienceIndex(
    IDbContextFactory<PortalDbContext> dbFactory,
    IBucket bucket,
    AudienceCatalog catalog,
    IOptions<AudienceOptions> options,
    TimeProvider clock,
    ILogger<AudienceIndex> logger,
    SharedLocks? locks = null)
{
    /// <summary>The <see cref="SharedLocks"/> lock held while an instance reconciles.</summary>
    public const string LockName = "audience-index";

    private const int BatchSize = 500;
    private static readonly TimeSpan LockHold = TimeSpan.FromMinutes(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset? _reconciled;
    private long _started;
    private long _lastDone;

    /// <summary>An index with the default settings and no lock between instances, for tools and tests that build the services by hand.</summary>
    public static AudienceIndex Standalone(IDbContextFactory<PortalDbContext> dbFactory, IBucket bucket, AudienceOptions? settings = null) =>
        new(dbFactory, bucket, new AudienceCatalog(bucket), Options.Create(settings ?? new AudienceOptions()), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<AudienceIndex>.Instance);

    /// <summary>When this instance last finished a reconcile (null: not since it started, or a write failed to reach the index).</summary>
    public DateTimeOffset? LastReconciled => _reconciled;

    /// <summary>Reconciles when the last reconcile is older than the configured age; the reads of pages and the API call it first.</summary>
    public async Task EnsureFreshAsync(CancellationToken cancellationToken = default)
    {
        if (_reconciled is { } last && clock.GetUtcNow() - last < TimeSpan.FromSeconds(options.Value.IndexReconcileSeconds))
        {
            return;
        }

        await ReconcileAsync(cancellationToken);
    }

    /// <summary>Brings the index in line with the bucket now (one at a time; a caller that waited for another's reconcile takes its result).</summary>
    public async Task<IndexReconcile> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        // Reconciles are numbered as they start: one that started after this call asked has seen every change before it.
        var asked = Interlocked.Read(ref _started);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_lastDone > asked)
            {
                return new IndexReconcile(0, 0, 0, TimeSpan.Zero, Skipped: true);
            }

            var run = Interlocked.Increment(ref _started);
            var at = clock.GetUtcNow();
            var result = await ReconcileCoreAsync(cancellationToken);
            if (!result.Skipped)
            {
                (_reconciled, _lastDone) = (at, run);
            }

            if (result.Read > 0 || result.Removed > 0)
            {
                LogReconciled(logger, result.Listed, result.Read, result.Removed, result.Took.TotalMilliseconds);
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Writes the index row of one audience again from the bucket (or removes it when its file is gone): called after
    /// the portal wrote its state file or its member data. A failure is logged, not thrown (the bucket write stands):
    /// the next read reconciles.
    /// </summary>
    public async Task RefreshAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            List<string> paths;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                paths = await db.AudienceIndex.AsNoTracking().Where(r => r.Name == name).Select(r => r.Path).ToListAsync(cancellationToken);
            }

            foreach (var path in paths.Append(AudienceCatalog.StatePath(name)).Distinct(StringComparer.Ordinal))
            {
                await RefreshPathAsync(path, cancellationToken);
            }

            await MarkDuplicatesAsync(name, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _reconciled = null;
            LogRefreshFailed(logger, ex, name);
        }
    }

    private async Task RefreshPathAsync(string path, CancellationToken cancellationToken)
    {
        // The listing's size and time are taken before the file is read: a write in between leaves a time that differs
        // from the file's, so the next reconcile reads it again.
        var file = await bucket.InfoAsync(path, cancellationToken);
        if (file is null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await RemoveAsync(db, db.AudienceIndex.Where(r => r.Path == path).Select(r => r.Id), cancellationToken);
            return;
        }

        var entry = await catalog.ReadFileAsync(path, cancellationToken);
        var data = await bucket.InfoAsync(AudienceCatalog.DataPath(entry.Name), cancellationToken);
        await ReplaceAsync([await RowAsync(entry, file, data, cancellationToken)], cancellationToken);
    }

    private async Task<IndexReconcile> ReconcileCoreAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var files = new Dictionary<string, BucketItem>(StringComparer.Ordinal);
        await foreach (var item in bucket.ListAsync(AudienceCatalog.StateFolder, cancellationToken))
        {
            if (AudienceCatalog.IsStateFile(item.Path))
            {
                files[item.Path] = item;
            }
        }

        var data = new Dictionary<string, BucketItem>(StringComparer.Ordinal);
        await foreach (var item in bucket.ListAsync(AudienceCatalog.DataFolder, cancellationToken))
        {
            data[item.Path] = item;
        }

        List<Known> known;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            known = await db.AudienceIndex.AsNoTracking()
                .Select(r => new Known(r.Id, r.Path, r.Name, r.Size, r.ModifiedUtc, r.DataSize, r.DataModifiedUtc))
                .ToListAsync(cancellationToken);
        }

        var byPath = known.ToDictionary(k => k.Path, StringComparer.Ordinal);
        var gone = known.Where(k => !files.ContainsKey(k.Path)).Select(k => k.Id).ToList();
        var changed = files.Values
            .Where(f => !byPath.TryGetValue(f.Path, out var k) || !k.Matches(f, data.GetValueOrDefault(AudienceCatalog.DataPath(k.Name))))
            .ToList();
        if (gone.Count == 0 && changed.Count == 0)
        {
            // Nothing to write: no lock is taken, so a reconcile that finds the index current writes nothing at all.
            return new IndexReconcile(files.Count, 0, 0, Stopwatch.GetElapsedTime(started));
        }

        if (locks is not null && !await locks.TryAcquireAsync(LockName, LockHold, cancellationToken))
        {
            // Another instance is writing the same changes; this one reads the index as it is meanwhile.
            return new IndexReconcile(files.Count, 0, 0, Stopwatch.GetElapsedTime(started), Skipped: true);
        }

        try
        {
            await ApplyAsync(gone, changed, data, cancellationToken);
            await MarkDuplicatesAsync(null, cancellationToken);
        }
        finally
        {
            if (locks is not null)
            {
                await locks.ReleaseAsync(LockName, CancellationToken.None);
            }
        }

        return new IndexReconcile(files.Count, changed.Count, gone.Count, Stopwatch.GetElapsedTime(started));
    }

    private async Task ApplyAsync(List<long> gone, List<BucketItem> changed, Dictionary<string, BucketItem> data, CancellationToken cancellationToken)
    {
        foreach (var chunk in gone.Chunk(BatchSize))
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await RemoveAsync(db, db.AudienceIndex.Where(r => chunk.Contains(r.Id)).Select(r => r.Id), cancellationToken);
        }

        // A pipeline: the next batch of files is read and parsed while the last one is written.
        var chunks = changed.Chunk(BatchSize).ToList();
        var next = chunks.Count > 0 ? ReadAsync(chunks[0], data, cancellationToken) : null;
        for (var k = 0; k < chunks.Count; k++)
        {
            var rows = await next!;
            next = k + 1 < chunks.Count ? ReadAsync(chunks[k + 1], data, cancellationToken) : null;
            try
            {
                await ReplaceAsync(rows, cancellationToken);
            }
            catch when (next is not null)
            {
                await next.ContinueWith(_ => { }, TaskScheduler.Default); // not left running unobserved
                throw;
            }
        }
    }

    private async Task<AudienceIndexRow[]> ReadAsync(BucketItem[] files, Dictionary<string, BucketItem> data, CancellationToken cancellationToken)
    {
        var rows = new AudienceIndexRow[files.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var entry = await catalog.ReadFileAsync(files[i].Path, ct);
                rows[i] = await RowAsync(entry, files[i], data.GetValueOrDefault(AudienceCatalog.DataPath(entry.Name)), ct);
            });
        return rows;
    }

    /// <summary>
    /// Two files whose audience names differ only in case are one audience twice: as a catalog scan does, every one
    /// after the first (by path) is marked invalid with the reason. A row marked so whose twin is gone is read again.
    /// Of the names like <paramref name="name"/> (any case), or of all when null.
    /// </summary>
    private async Task MarkDuplicatesAsync(string? name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lower = name?.ToLowerInvariant();
        var rows = await db.AudienceIndex.AsNoTracking().Where(r => lower == null || r.Name.ToLower() == lower)
            .Select(r => new { r.Id, r.Path, r.Name, r.IsValid, r.FirstIssue }).ToListAsync(cancellationToken);
        foreach (var group in rows.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase))
        {
            var ordered = group.OrderBy(r => r.Path, StringComparer.Ordinal).ToList();
            foreach (var row in ordered.Skip(1).Where(r => r.IsValid))
            {
                var issue = AudienceCatalog.DuplicateIssue(row.Path, row.Name, Path.GetFileName(ordered[0].Path)).ToString();
                await db.AudienceIndex.Where(r => r.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.IsValid, false)
                    .SetProperty(r => r.IssueCount, r => r.IssueCount + 1).SetProperty(r => r.FirstIssue, issue), cancellationToken);
            }

            // The first is never a duplicate: marked as one, its twin went away, and its file is read again.
            foreach (var row in ordered.Take(1).Where(r => r.FirstIssue?.Contains(AudienceCatalog.DuplicatePrefix, StringComparison.Ordinal) == true))
            {
                await RefreshPathAsync(row.Path, cancellationToken);
            }
        }
    }

    private async Task<AudienceIndexRow> RowAsync(CatalogEntry entry, BucketItem file, BucketItem? data, CancellationToken cancellationToken)
    {
        long? members = null;
        if (data is not null)
        {
            try
            {
                members = await MemberFile.CountAsync(bucket, entry.Name, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or Parquet.ParquetException)
            {
                // Unreadable or gone since the listing: shown without a count; the next run fetches the members again.
            }
        }

        return AudienceIndexRows.From(entry, file, data, members, clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>Replaces the rows of the same paths with <paramref name="rows"/>, in one transaction; once more when another writer added one of them meanwhile.</summary>
    private async Task ReplaceAsync(IReadOnlyList<AudienceIndexRow> rows, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var paths = rows.Select(r => r.Path).ToList();
                await RemoveAsync(db, db.AudienceIndex.Where(r => paths.Contains(r.Path)).Select(r => r.Id), cancellationToken);
                foreach (var row in rows)
                {
                    row.Id = 0;
                    row.Adtechs.ForEach(a => (a.Id, a.AudienceId) = (0, 0));
                }

                db.AudienceIndex.AddRange(rows);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt == 1)
            {
                // A concurrent refresh of the same file inserted its row first: take its place.
            }
        }
    }

    private static async Task RemoveAsync(PortalDbContext db, IQueryable<long> ids, CancellationToken cancellationToken)
    {
        var list = await ids.ToListAsync(cancellationToken);
        if (list.Count == 0)
        {
            return;
        }

        await db.AudienceIndexAdtechs.Where(a => list.Contains(a.AudienceId)).ExecuteDeleteAsync(cancellationToken);
        await db.AudienceIndex.Where(r => list.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    private sealed record Known(long Id, string Path, string Name, long Size, DateTime ModifiedUtc, long? DataSize, DateTime? DataModifiedUtc)
    {
        public bool Matches(BucketItem file, BucketItem? data) =>
            Size == file.Size && ModifiedUtc == AudienceIndexRows.Stored(file.LastModified)
            && DataSize == data?.Size && DataModifiedUtc == (data is null ? null : AudienceIndexRows.Stored(data.LastModified));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audience index reconciled: {Listed} state files, {Read} read again, {Removed} removed, in {Milliseconds:0} ms")]
    private static partial void LogReconciled(ILogger logger, int listed, int read, int removed, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audience index could not be updated for {Name}; the next read reconciles it with the bucket")]
    private static partial void LogRefreshFailed(ILogger logger, Exception ex, string name);
}
