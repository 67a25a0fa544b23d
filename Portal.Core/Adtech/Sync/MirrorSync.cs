using System.Buffers;
using System.Diagnostics;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Keeps an adtech audience equal to the current members by sending only the difference. A sync (1) commits the
/// journal an interrupted sync left, so the snapshot is exactly what the adtech accepted; (2) hashes and sorts the
/// current members (<see cref="MemberSorter"/>); (3) merge-joins them with the snapshot (<see cref="MirrorDifference"/>);
/// (4) sends the removes, then the adds, in batches, journaling each batch the adtech accepts before sending the next;
/// (5) commits. A sync that fails stops at the refused batch; the next one starts over from step 1 against the members
/// as they are then, so nothing accepted is sent again and nothing changed since is skipped.
/// </summary>
/// <remarks>
/// Removes go first: a member whose identifiers changed is a remove of the old record and an add of the new one, and
/// adtechs match a remove by any identifier, so a remove sent after the add could take the member out again through an
/// identifier the two records share. Removes first leave every current member in the audience at the end, at the cost
/// of such a member being out of it between the two batches.
/// </remarks>
public sealed class MirrorSync(IBucket bucket, MirrorSyncOptions options)
{
    /// <summary>Syncs the <paramref name="adtech"/> audience of <paramref name="audience"/> with <paramref name="members"/>, hashed as <paramref name="normalization"/> says.</summary>
    public async Task<MirrorSyncResult> RunAsync(string audience, string adtech, IAsyncEnumerable<Member> members, NormalizationOptions normalization,
        IMirrorTarget target, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var snapshot = new MirrorSnapshot(bucket, audience, adtech);
        await snapshot.CommitAsync(cancellationToken);
        var work = Path.Combine(options.WorkFolder, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var sorted = await MemberSorter.SortAsync(members, normalization, Path.Combine(work, "runs"), options.RunBytes, cancellationToken);
            var (removesFile, addsFile) = (Path.Combine(work, "removes"), Path.Combine(work, "adds"));
            MirrorCounts counts;
            await using (var removesStream = MirrorFiles.CreateWork(removesFile))
            await using (var addsStream = MirrorFiles.CreateWork(addsFile))
            await using (var held = await snapshot.OpenAsync(cancellationToken))
            await using (var current = sorted.Open())
            {
                var (removes, adds) = (new RecordWriter(removesStream), new RecordWriter(addsStream));
                removes.Start(MirrorFiles.Work.Span);
                adds.Start(MirrorFiles.Work.Span);
                counts = await MirrorDifference.ComputeAsync(held, current, removes, adds, cancellationToken);
            }

            var sending = new Sending(snapshot, target);
            var outcome = counts is { ToAdd: 0, ToRemove: 0 } ? MirrorSyncOutcome.NoChange
                : await sending.SendAsync(removesFile, MirrorChange.Remove, cancellationToken) && await sending.SendAsync(addsFile, MirrorChange.Add, cancellationToken)
                    ? MirrorSyncOutcome.Synced
                    : MirrorSyncOutcome.Failed;
            if (outcome == MirrorSyncOutcome.Synced)
            {
                await snapshot.CommitAsync(cancellationToken);
            }

            return new MirrorSyncResult(outcome, sending.Added, sending.Removed, counts.Unchanged, counts.ToAdd, counts.ToRemove,
                sorted.Stats.Invalid, sorted.Stats.EmptyMembers, sorted.Duplicates, sending.Rejected, sending.Batches, watch.Elapsed, sending.Last);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Sends a work file's records in batches, journaling each batch the adtech accepts; counts what was accepted.</summary>
    private sealed class Sending(MirrorSnapshot snapshot, IMirrorTarget target)
    {
        private int _sequence;

        public long Added { get; private set; }
        public long Removed { get; private set; }
        public long Rejected { get; private set; }
        public int Batches { get; private set; }
        public MirrorAnswer? Last { get; private set; }

        /// <summary>False when the adtech refused a batch (nothing after it is sent).</summary>
        public async Task<bool> SendAsync(string file, MirrorChange change, CancellationToken cancellationToken)
        {
            await using var reader = MirrorFiles.OpenWork(file);
            var raw = new ArrayBufferWriter<byte>(1 << 20);
            var batch = new List<HashedMember>(target.BatchSize);
            var more = true;
            while (more)
            {
                more = await reader.MoveNextAsync(cancellationToken);
                if (more)
                {
                    batch.Add(MirrorRecord.Read(reader.Current));
                    raw.Write(reader.Current);
                }

                if (batch.Count == 0 || (more && batch.Count < target.BatchSize))
                {
                    continue;
                }

                Last = change == MirrorChange.Remove ? await target.RemoveAsync(batch, cancellationToken) : await target.AddAsync(batch, cancellationToken);
                if (!Last.Accepted)
                {
                    return false;
                }

                await snapshot.JournalAsync(_sequence++, change, raw.WrittenMemory, cancellationToken);
                Batches++;
                Rejected += Last.Rejected;
                if (change == MirrorChange.Remove)
                {
                    Removed += batch.Count;
                }
                else
                {
                    Added += batch.Count;
                }

                batch = new List<HashedMember>(target.BatchSize); // the target may keep the list it was given
                raw.ResetWrittenCount();
            }

            return true;
        }
    }
}
