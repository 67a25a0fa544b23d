using System.Globalization;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// What one adtech holds of one audience, kept in the bucket: <c>sync/&lt;audience&gt;/&lt;adtech&gt;.snapshot</c>, sorted
/// records (see <see cref="MirrorRecord"/>), and beside it a journal folder with one object per batch accepted since it
/// was written (<c>00000003-remove</c>, <c>00000004-add</c>), possibly over several syncs. A batch is journaled as soon as
/// the adtech accepts it, so the snapshot with the journal's last word on each key (<see cref="OpenAsync"/>) is always
/// what the adtech holds. A sync that ends leaves its batches in the journal while the journal stays small beside the
/// snapshot (<see cref="KeepAsync"/>: only the digests are written); <see cref="CommitAsync"/> folds the journal into a new
/// snapshot (written whole, atomically) and then deletes it, oldest object first. Folding is idempotent (the journal's
/// last word on a key is the same after a fold), so a crash between the write and the deletes is repaired by the next
/// commit. One sync per audience and adtech at a time.
/// </summary>
public sealed class MirrorSnapshot(IBucket bucket, string audience, string adtech)
{
    public const string Folder = "sync";

    /// <summary>Journal objects kept at most after a sync (each is read at once, with a buffer of its own, when the held records are).</summary>
    public const int MaxJournalObjects = 100;

    /// <summary>Read buffer of each journal object (objects hold a batch: tens of records to a few MiB).</summary>
    private const int JournalBuffer = 16 * 1024;

    public string SnapshotPath { get; } = $"{Folder}/{audience}/{adtech}.snapshot";

    public string JournalFolder { get; } = $"{Folder}/{audience}/{adtech}.journal";

    /// <summary>The raw digests of the snapshot's records (<see cref="SnapshotDigests"/>), written after each new snapshot.</summary>
    public string DigestsPath { get; } = $"{Folder}/{audience}/{adtech}.digests";

    /// <summary>What the adtech holds: the snapshot's records with the journal applied (none when there is no snapshot yet).</summary>
    public async Task<RecordSource> OpenAsync(CancellationToken cancellationToken)
    {
        var journal = await JournalAsync(cancellationToken);
        var snapshot = await OpenSnapshotAsync(cancellationToken);
        return journal.Count == 0 ? snapshot : new FoldedRecords(snapshot, await OpenJournalAsync(journal, cancellationToken));
    }

    /// <summary>The number the next journaled batch gets.</summary>
    public async Task<int> NextSequenceAsync(CancellationToken cancellationToken) =>
        (await JournalAsync(cancellationToken)) is { Count: > 0 } journal ? journal[^1].Sequence + 1 : 0;

    /// <summary>
    /// Folds the journal into the snapshot when the digests do not cover all of it (a sync was interrupted, or a batch
    /// was journaled from elsewhere), so that the digests describe what the adtech holds. Returns true when it folded.
    /// </summary>
    public async Task<bool> SettleAsync(CancellationToken cancellationToken)
    {
        var journal = await JournalAsync(cancellationToken);
        return journal.Count > 0 && journal[^1].Sequence >= await SnapshotDigests.JournalEndAsync(bucket, DigestsPath, cancellationToken)
            && await CommitAsync(cancellationToken);
    }

    /// <summary>
    /// After a sync that journaled every batch up to <paramref name="journalEnd"/>: folds the journal into a new snapshot
    /// when it has grown to <paramref name="foldPercent"/> % of the snapshot's size or to more than
    /// <see cref="MaxJournalObjects"/> objects, and otherwise keeps it and writes
    /// only <paramref name="digests"/> (of what the adtech holds now), as covering it. Returns true when it folded.
    /// </summary>
    internal async Task<bool> KeepAsync(SnapshotDigests digests, int journalEnd, int foldPercent, CancellationToken cancellationToken)
    {
        long snapshotBytes = 0, journalBytes = 0, objects = 0;
        await foreach (var item in bucket.ListAsync($"{Folder}/{audience}/", cancellationToken))
        {
            snapshotBytes += item.Path == SnapshotPath ? item.Size : 0;
        }

        await foreach (var item in bucket.ListAsync(JournalFolder + "/", cancellationToken))
        {
            journalBytes += item.Size;
            objects++;
        }

        if (journalBytes * 100 >= snapshotBytes * foldPercent || objects > MaxJournalObjects)
        {
            return await CommitAsync(cancellationToken);
        }

        await digests.WriteAsync(bucket, DigestsPath, journalEnd, cancellationToken);
        return false;
    }

    /// <summary>Journals a batch the adtech accepted: the batch's records, one after another, in key order.</summary>
    public Task JournalAsync(int sequence, MirrorChange change, ReadOnlyMemory<byte> records, CancellationToken cancellationToken) =>
        bucket.WriteAsync(JournalPath(sequence, change), async (stream, ct) =>
        {
            await stream.WriteAsync(MirrorFiles.Journal, ct);
            await stream.WriteAsync(records, ct);
        }, cancellationToken);

    /// <summary>The journal's objects, in sequence order.</summary>
    public async Task<IReadOnlyList<(int Sequence, MirrorChange Change, string Path)>> JournalAsync(CancellationToken cancellationToken)
    {
        var entries = new List<(int, MirrorChange, string)>();
        await foreach (var item in bucket.ListAsync(JournalFolder + "/", cancellationToken))
        {
            var name = item.Path[(item.Path.LastIndexOf('/') + 1)..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                && Enum.TryParse<MirrorChange>(name[(dash + 1)..], ignoreCase: true, out var change))
            {
                entries.Add((sequence, change, item.Path));
            }
        }

        return [.. entries.OrderBy(e => e.Item1)];
    }

    /// <summary>
    /// Folds the journal into the snapshot: the snapshot without the journaled removes, with the journaled adds, written
    /// as a new snapshot; then the journal is deleted. Returns false when there was no journal (nothing changed).
    /// </summary>
    public async Task<bool> CommitAsync(CancellationToken cancellationToken)
    {
        var journal = await JournalAsync(cancellationToken);
        if (journal.Count == 0)
        {
            return false;
        }

        await using (var held = new FoldedRecords(await OpenSnapshotAsync(cancellationToken), await OpenJournalAsync(journal, cancellationToken)))
        {
            await WriteAsync(held, cancellationToken);
        }

        foreach (var (_, _, path) in journal)
        {
            await bucket.DeleteAsync(path, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Records <paramref name="records"/> (sorted) as all the adtech holds, accepted on <paramref name="day"/>: after an
    /// export that created the audience and sent them. The journal of what was held before goes first.
    /// </summary>
    public async Task ReplaceAsync(RecordSource records, int day, CancellationToken cancellationToken)
    {
        foreach (var (_, _, path) in await JournalAsync(cancellationToken))
        {
            await bucket.DeleteAsync(path, cancellationToken);
        }

        await using var dated = new DatedRecords(records, day);
        await WriteAsync(dated, cancellationToken);
    }

    /// <summary>Forgets what the adtech holds (its audience was recreated or emptied): snapshot and journal.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        foreach (var (_, _, path) in await JournalAsync(cancellationToken))
        {
            await bucket.DeleteAsync(path, cancellationToken);
        }

        await bucket.DeleteAsync(SnapshotPath, cancellationToken);
        await bucket.DeleteAsync(DigestsPath, cancellationToken);
    }

    private string JournalPath(int sequence, MirrorChange change) =>
        $"{JournalFolder}/{sequence.ToString("D8", CultureInfo.InvariantCulture)}-{change.ToString().ToLowerInvariant()}";

    private async Task<RecordSource> OpenSnapshotAsync(CancellationToken cancellationToken) =>
        await bucket.ExistsAsync(SnapshotPath, cancellationToken)
            ? new RecordReader(await bucket.OpenReadAsync(SnapshotPath, cancellationToken), MirrorFiles.Snapshot, SnapshotPath, 1 << 20, MirrorFiles.LegacySnapshot)
            : new EmptyRecords();

    private async Task<JournalRecords> OpenJournalAsync(IReadOnlyList<(int Sequence, MirrorChange Change, string Path)> journal, CancellationToken cancellationToken)
    {
        var entries = new List<(RecordSource, bool)>(journal.Count);
        foreach (var (_, change, path) in journal)
        {
            entries.Add((new RecordReader(await bucket.OpenReadAsync(path, cancellationToken), MirrorFiles.Journal, path, JournalBuffer, MirrorFiles.LegacyJournal),
                change == MirrorChange.Remove));
        }

        return new JournalRecords(entries);
    }

    /// <summary>Writes <paramref name="held"/> (sorted) as the new snapshot, then its digests (covering no journal).</summary>
    private async Task WriteAsync(RecordSource held, CancellationToken cancellationToken)
    {
        await using var digests = new SnapshotDigests();
        await bucket.WriteAsync(SnapshotPath, async (stream, ct) =>
        {
            var writer = new RecordWriter(stream, 1 << 20);
            writer.Start(MirrorFiles.Snapshot.Span);
            while (await held.MoveNextAsync(ct))
            {
                writer.Add(held.Current);
                digests.Add(held.Current);
                await writer.FlushIfFullAsync(ct);
            }

            await writer.FlushAsync(ct);
        }, cancellationToken);
        await digests.WriteAsync(bucket, DigestsPath, 0, cancellationToken);
    }
}
