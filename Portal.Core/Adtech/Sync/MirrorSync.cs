using System.Diagnostics;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Keeps an adtech audience equal to the current members by sending only the difference. A sync (1) folds into the
/// snapshot the journal an interrupted sync left, so the digests describe exactly what the adtech accepted; (2) hashes
/// and sorts the current members (<see cref="MemberSorter"/>); (3) merge-joins them with what the adtech holds, the
/// snapshot with its journal (<see cref="MirrorDifference"/>); (4) sends the removes, then the adds, in batches,
/// journaling each batch the adtech accepts before sending the next; (5) keeps the batches in the journal and writes the
/// digests of what the adtech now holds, or folds the journal into a new snapshot once it has grown
/// (<see cref="MirrorSyncOptions.JournalFoldPercent"/>). A sync that fails stops at the refused batch; the next one starts over from step 1 against the members
/// as they are then, so nothing accepted is sent again and nothing changed since is skipped.
/// </summary>
/// <remarks>
/// Removes go first: a member whose identifiers changed is a remove of the old record and an add of the new one, and
/// adtechs match a remove by any identifier, so a remove sent after the add could take the member out again through an
/// identifier the two records share. Removes first leave every current member in the audience at the end, at the cost
/// of such a member being out of it between the two batches.
/// </remarks>
public sealed class MirrorSync(IBucket bucket, MirrorSyncOptions options, TimeProvider? clock = null)
{
    /// <summary>
    /// Run size of a sync at most: it sorts only the members the snapshot does not know by digest (a few percent), so
    /// smaller runs cost little more merging and keep its memory low beside the digest table at 10M members.
    /// </summary>
    private const int SyncRunBytes = 4 * 1024 * 1024;

    /// <summary>Syncs the <paramref name="adtech"/> audience of <paramref name="audience"/> with <paramref name="members"/>, hashed as <paramref name="normalization"/> says.</summary>
    /// <param name="members">Read once, or twice when the snapshot's digests are more than <see cref="MirrorSyncOptions.DigestMembers"/> (in the same order both times).</param>
    public async Task<MirrorSyncResult> RunAsync(string audience, string adtech, IAsyncEnumerable<Member> members, NormalizationOptions normalization,
        IMirrorTarget target, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var snapshot = new MirrorSnapshot(bucket, audience, adtech);
        await snapshot.SettleAsync(cancellationToken);
        return await RunAsync(snapshot, members, normalization, target, watch, useDigests: true, cancellationToken)
            ?? await RunAsync(snapshot, members, normalization, target, watch, useDigests: false, cancellationToken)
            ?? throw new InvalidOperationException("A sync without digests cannot find them stale");
    }

    /// <summary>
    /// Records <paramref name="members"/> as what the adtech holds, without sending anything: after the export that
    /// created the audience sent them. Hashed and sorted as a sync does, then written as the snapshot at once.
    /// </summary>
    public async Task SeedAsync(string audience, string adtech, IAsyncEnumerable<Member> members, NormalizationOptions normalization,
        CancellationToken cancellationToken = default)
    {
        var work = Path.Combine(options.WorkFolder, Guid.NewGuid().ToString("N"));
        try
        {
            await using var sorted = await MemberSorter.SortAsync(members, normalization, Path.Combine(work, "runs"), options.RunBytes, cancellationToken);
            await new MirrorSnapshot(bucket, audience, adtech).ReplaceAsync(sorted.Open(), Today(), cancellationToken);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>
    /// Records what a first export sent as what the adtech holds, from the records its upload packed as it hashed
    /// (<see cref="ExportSeed"/>): the same snapshot <see cref="SeedAsync(string, string, IAsyncEnumerable{Member}, NormalizationOptions, CancellationToken)"/>
    /// writes, without reading or hashing the members again.
    /// </summary>
    public async Task SeedAsync(string audience, string adtech, ExportSeed seed, CancellationToken cancellationToken = default)
    {
        if (!seed.Complete)
        {
            throw new InvalidOperationException("The export did not record every member it sent; seed from the members instead");
        }

        await new MirrorSnapshot(bucket, audience, adtech).ReplaceAsync(seed.Open(), Today(), cancellationToken);
    }

    /// <summary>A new <see cref="ExportSeed"/> for an export's upload to fill, in its own work folder.</summary>
    public ExportSeed StartSeed() => new(Path.Combine(options.WorkFolder, Guid.NewGuid().ToString("N")), options.RunBytes);

    private int Today() => DateOnly.FromDateTime((clock ?? TimeProvider.System).GetUtcNow().UtcDateTime).DayNumber;

    /// <summary>The sync after the commit; null (nothing sent) when the snapshot's digests turned out to be another snapshot's.</summary>
    private async Task<MirrorSyncResult?> RunAsync(MirrorSnapshot snapshot, IAsyncEnumerable<Member> members, NormalizationOptions normalization,
        IMirrorTarget target, Stopwatch watch, bool useDigests, CancellationToken cancellationToken)
    {
        var today = Today();
        var refreshBefore = target.MembershipLifetime is { } lifetime ? today - RefreshAfterDays(lifetime) : int.MinValue;
        var work = Path.Combine(options.WorkFolder, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var sorted = new SortedMembers(Path.Combine(work, "runs"));
            var index = useDigests ? await SnapshotIndex.LoadAsync(bucket, snapshot.DigestsPath, options.DigestMembers, cancellationToken) : null;
            var present = index is null ? null : new PositionSet(index.Records);
            var run = new RunBuffer(Math.Min(options.RunBytes, SyncRunBytes));
            var repeated = index is null ? await AddAllAsync(sorted, members, normalization, run, cancellationToken)
                : index.Partitions == 1 ? await AddUnknownAsync(sorted, index, present!, members, normalization, run, snapshot.DigestsPath, cancellationToken)
                : await AddByPartitionsAsync(sorted, index, present!, members, normalization, run, Path.Combine(work, "digests"), snapshot.DigestsPath, cancellationToken);

            var (removesFile, addsFile) = (Path.Combine(work, "removes"), Path.Combine(work, "adds"));
            var check = new KeyCheck();
            await using var next = new SnapshotDigests();
            MirrorCounts counts;
            await using (var removesStream = MirrorFiles.CreateWork(removesFile))
            await using (var addsStream = MirrorFiles.CreateWork(addsFile))
            await using (var held = await snapshot.OpenAsync(cancellationToken))
            await using (var current = sorted.Open())
            {
                var (removes, adds) = (new RecordWriter(removesStream), new RecordWriter(addsStream));
                removes.Start(MirrorFiles.Work.Span);
                adds.Start(MirrorFiles.Work.Span);
                counts = await MirrorDifference.ComputeAsync(held, present, current, removes, adds, refreshBefore, check, next, cancellationToken);
            }

            if (index is not null && !index.Matches(check))
            {
                return null;
            }

            var sending = new MirrorSending(snapshot, target, today, await snapshot.NextSequenceAsync(cancellationToken));
            var outcome = counts is { ToAdd: 0, ToRemove: 0, ToRefresh: 0, Retagged: 0 } ? MirrorSyncOutcome.NoChange
                : await sending.SendAsync(removesFile, MirrorChange.Remove, cancellationToken) && await sending.SendAsync(addsFile, MirrorChange.Add, cancellationToken)
                    ? MirrorSyncOutcome.Synced
                    : MirrorSyncOutcome.Failed;
            if (outcome == MirrorSyncOutcome.Synced)
            {
                await snapshot.KeepAsync(next, sending.NextSequence, options.JournalFoldPercent, cancellationToken);
                outcome = sending.Batches == 0 ? MirrorSyncOutcome.NoChange : outcome; // only new digests were kept: nothing sent
            }

            return new MirrorSyncResult(outcome, sending.Added, sending.Removed, counts.Unchanged, counts.ToAdd, counts.ToRemove,
                sorted.Stats.Invalid + counts.Invalid, sorted.Stats.EmptyMembers, sorted.Duplicates + repeated + counts.Repeated, sending.Rejected,
                sending.Batches, watch.Elapsed, sending.Last, sending.Refreshed, counts.ToRefresh, sorted.Stats.Members);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Every member hashed and sorted (the snapshot's digests are not known).</summary>
    private static async Task<long> AddAllAsync(SortedMembers sorted, IAsyncEnumerable<Member> members, NormalizationOptions normalization, RunBuffer run,
        CancellationToken cancellationToken)
    {
        await MemberSorter.AddAsync(sorted, members, normalization, null, run, cancellationToken);
        return 0;
    }

    /// <summary>
    /// The members the snapshot's digests (in one table) do not know hashed and sorted; the ones they know marked in
    /// <paramref name="present"/>. Returns the members found as a record another member was found as already. The table
    /// is let go when this returns, before the difference is computed.
    /// </summary>
    private async Task<long> AddUnknownAsync(SortedMembers sorted, SnapshotIndex index, PositionSet present, IAsyncEnumerable<Member> members,
        NormalizationOptions normalization, RunBuffer run, string digestsPath, CancellationToken cancellationToken)
    {
        var known = new KnownDigests(await index.ReadTableAsync(bucket, digestsPath, 0, null, cancellationToken), present);
        await MemberSorter.AddAsync(sorted, members, normalization, known, run, cancellationToken);
        return known.Repeated;
    }

    /// <summary>
    /// The members hashed and sorted when the snapshot's digests are too many for one table: a first pass writes the
    /// members' digests to disk by partition (<see cref="DigestSpill"/>), each partition is looked up in a table of the
    /// snapshot's digests of that partition, and a second pass hashes the members not found. Returns the members found as
    /// a record another member was found as already.
    /// </summary>
    private async Task<long> AddByPartitionsAsync(SortedMembers sorted, SnapshotIndex index, PositionSet present, IAsyncEnumerable<Member> members,
        NormalizationOptions normalization, RunBuffer run, string folder, string digestsPath, CancellationToken cancellationToken)
    {
        await using var spill = new DigestSpill(folder, index.Partitions);
        await MemberSorter.AddAsync(sorted, members, normalization, spill, run, cancellationToken);
        var unknown = new PositionSet(spill.Order.Members);
        long repeated = 0;
        DigestTable? table = null;
        for (var partition = 0; partition < index.Partitions; partition++)
        {
            table = await index.ReadTableAsync(bucket, digestsPath, partition, table, cancellationToken);
            repeated += await spill.LookUpAsync(partition, table, present, unknown, cancellationToken);
        }

        var second = new UnknownMembers(unknown, spill.Order);
        await MemberSorter.AddAsync(sorted, members, normalization, second, run, cancellationToken);
        second.EnsureSameMembers();
        return repeated;
    }

    /// <summary>Days after its last add a member is added again: the lifetime less the margin, the margin at most half the lifetime.</summary>
    private int RefreshAfterDays(TimeSpan lifetime) =>
        (int)Math.Floor((lifetime - TimeSpan.FromTicks(Math.Min(options.RefreshMargin.Ticks, lifetime.Ticks / 2))).TotalDays);
}
