using System.Globalization;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// What one adtech holds of one audience, kept in the bucket: <c>sync/&lt;audience&gt;/&lt;adtech&gt;.snapshot</c>, the
/// members it had accepted when the last sync ended (sorted records, see <see cref="MirrorRecord"/>), and beside it a
/// journal folder with one object per batch accepted since (<c>00000003-remove</c>, <c>00000004-add</c>). A batch is
/// journaled as soon as the adtech accepts it, so the snapshot plus the journal is always what the adtech holds.
/// <see cref="CommitAsync"/> folds the journal into a new snapshot (written whole, atomically) and then deletes it.
/// Folding is idempotent (a remove of a member absent and an add of a member present change nothing), so a crash
/// between the write and the deletes is repaired by the next commit. One sync per audience and adtech at a time.
/// </summary>
public sealed class MirrorSnapshot(IBucket bucket, string audience, string adtech)
{
    public const string Folder = "sync";

    public string SnapshotPath { get; } = $"{Folder}/{audience}/{adtech}.snapshot";

    public string JournalFolder { get; } = $"{Folder}/{audience}/{adtech}.journal";

    /// <summary>The raw digests of the snapshot's records (<see cref="SnapshotDigests"/>), written after each new snapshot.</summary>
    public string DigestsPath { get; } = $"{Folder}/{audience}/{adtech}.digests";

    /// <summary>The snapshot's records (none when there is no snapshot yet).</summary>
    public async Task<RecordSource> OpenAsync(CancellationToken cancellationToken) =>
        await bucket.ExistsAsync(SnapshotPath, cancellationToken)
            ? new RecordReader(await bucket.OpenReadAsync(SnapshotPath, cancellationToken), MirrorFiles.Snapshot, SnapshotPath, 1 << 20, MirrorFiles.LegacySnapshot)
            : new EmptyRecords();

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

        await using (var snapshot = await OpenAsync(cancellationToken))
        await using (var removes = Journaled(journal, MirrorChange.Remove))
        await using (var adds = Journaled(journal, MirrorChange.Add))
        {
            await WriteAsync(snapshot, removes, adds, cancellationToken);
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
        await WriteAsync(dated, new EmptyRecords(), new EmptyRecords(), cancellationToken);
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

    private ChainedRecords Journaled(IReadOnlyList<(int Sequence, MirrorChange Change, string Path)> journal, MirrorChange change) =>
        new([.. journal.Where(e => e.Change == change).Select(e => (Func<CancellationToken, Task<RecordSource>>)(async ct =>
            new RecordReader(await bucket.OpenReadAsync(e.Path, ct), MirrorFiles.Journal, e.Path, legacyMagic: MirrorFiles.LegacyJournal)))], $"{JournalFolder} ({change})");

    /// <summary>Writes (snapshot − removes) ∪ adds as the new snapshot, merging the three sorted sources in one pass, then its digests.</summary>
    private async Task WriteAsync(RecordSource snapshot, RecordSource removes, RecordSource adds, CancellationToken cancellationToken)
    {
        await using var digests = new SnapshotDigests();
        await bucket.WriteAsync(SnapshotPath, async (stream, ct) =>
        {
            var writer = new RecordWriter(stream, 1 << 20);
            writer.Start(MirrorFiles.Snapshot.Span);
            void Add(ReadOnlySpan<byte> record)
            {
                writer.Add(record);
                digests.Add(record);
            }

            var haveSnapshot = await snapshot.MoveNextAsync(ct);
            var haveRemove = await removes.MoveNextAsync(ct);
            var haveAdd = await adds.MoveNextAsync(ct);
            while (haveSnapshot || haveAdd)
            {
                var order = !haveAdd ? -1 : !haveSnapshot ? 1 : MirrorRecord.Compare(snapshot.Current, adds.Current);
                if (order > 0)
                {
                    Add(adds.Current);
                    haveAdd = await adds.MoveNextAsync(ct);
                }
                else if (order == 0)
                {
                    // Sent again (a refresh: its new day), journaled with a new digest, or added again after a crash
                    // between a commit's write and its deletes: the journaled record replaces the one held.
                    Add(adds.Current);
                    haveSnapshot = await snapshot.MoveNextAsync(ct);
                    haveAdd = await adds.MoveNextAsync(ct);
                }
                else
                {
                    while (haveRemove && MirrorRecord.Compare(removes.Current, snapshot.Current) < 0)
                    {
                        haveRemove = await removes.MoveNextAsync(ct);
                    }

                    if (!haveRemove || MirrorRecord.Compare(removes.Current, snapshot.Current) != 0)
                    {
                        Add(snapshot.Current);
                    }

                    haveSnapshot = await snapshot.MoveNextAsync(ct);
                }

                await writer.FlushIfFullAsync(ct);
            }

            await writer.FlushAsync(ct);
        }, cancellationToken);
        await digests.WriteAsync(bucket, DigestsPath, cancellationToken);
    }
}
