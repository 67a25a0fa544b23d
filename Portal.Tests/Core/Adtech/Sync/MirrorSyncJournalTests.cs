using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>
/// Syncs that keep their batches in the journal instead of rewriting the snapshot: what the adtech holds is the snapshot
/// with the journal's last word on each key, over several syncs, and the journal is folded once it has grown.
/// </summary>
public sealed class MirrorSyncJournalTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly LocalBucket _bucket;
    private readonly MirrorSnapshot _snapshot;

    public MirrorSyncJournalTests()
    {
        _bucket = new LocalBucket(Path.Combine(_folder.Path, "bucket"));
        _snapshot = new MirrorSnapshot(_bucket, "demo", "adtechB");
    }

    public void Dispose() => _folder.Dispose();

    private Task<MirrorSyncResult> RunAsync(IEnumerable<Member> members, IMirrorTarget target, int foldPercent = 25) =>
        new MirrorSync(_bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work"), JournalFoldPercent = foldPercent })
            .RunAsync("demo", "adtechB", members.ToAsyncEnumerable(), MirrorMembers.India, target);

    private static IEnumerable<Member> Members(int from, int to) => Enumerable.Range(from, to - from).Select(MirrorMembers.Numbered);

    private string File(string path) => Path.Combine(_bucket.Root, path);

    /// <summary>What the snapshot and its journal say the adtech holds.</summary>
    private async Task<HashSet<string>> HeldAsync()
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        await using var records = await _snapshot.OpenAsync(CancellationToken.None);
        while (await records.MoveNextAsync(CancellationToken.None))
        {
            Assert.True(held.Add(MirrorMembers.Identity(MirrorRecord.Read(records.Current))));
        }

        return held;
    }

    /// <summary>A digests file's record count, key check and digests, without the journal it covers.</summary>
    private byte[] DigestsWithoutJournalEnd()
    {
        var bytes = System.IO.File.ReadAllBytes(File(_snapshot.DigestsPath));
        var journalEndAt = MirrorFiles.Digests.Length + sizeof(long) + RawDigest.Size;
        return [.. bytes[MirrorFiles.Digests.Length..journalEndAt], .. bytes[(journalEndAt + sizeof(int))..]];
    }

    [Fact]
    public async Task RunAsync_FewChanges_KeepsTheSnapshotAndJournalsTheBatches()
    {
        var target = new RecordingMirrorTarget(batchSize: 10);
        await RunAsync(Members(0, 100), target);
        var written = System.IO.File.GetLastWriteTimeUtc(File(_snapshot.SnapshotPath));
        var bytes = await System.IO.File.ReadAllBytesAsync(File(_snapshot.SnapshotPath));

        var result = await RunAsync(Members(3, 103), target);
        var again = await RunAsync(Members(3, 103), target);

        Assert.Equal((3L, 3L), (result.Added, result.Removed));
        Assert.Equal(bytes, await System.IO.File.ReadAllBytesAsync(File(_snapshot.SnapshotPath)));
        Assert.Equal(written, System.IO.File.GetLastWriteTimeUtc(File(_snapshot.SnapshotPath)));
        Assert.Equal([MirrorChange.Remove, MirrorChange.Add], (await _snapshot.JournalAsync(CancellationToken.None)).Select(e => e.Change));
        Assert.Equal(target.Held, await HeldAsync());
        Assert.Equal((MirrorSyncOutcome.NoChange, 0L, 100L), (again.Outcome, again.Hashed, again.Unchanged));
    }

    [Fact]
    public async Task RunAsync_AddedBySyncAndRemovedByALaterOne_TheLastWordCounts()
    {
        var target = new RecordingMirrorTarget(batchSize: 10);
        await RunAsync(Members(0, 100), target);
        await RunAsync(Members(0, 105), target); // 100–104 added, journaled
        var removed = await RunAsync(Members(0, 100), target); // and removed again, journaled after
        var back = await RunAsync(Members(0, 101), target); // 100 comes back

        Assert.Equal(5L, removed.Removed);
        Assert.Equal((1L, 0L, 100L), (back.Added, back.Removed, back.Unchanged));
        Assert.Equal(MirrorMembers.Expected(Members(0, 101)), target.Held);
        Assert.Equal(target.Held, await HeldAsync());
        Assert.Equal([MirrorChange.Add, MirrorChange.Remove, MirrorChange.Add], (await _snapshot.JournalAsync(CancellationToken.None)).Select(e => e.Change));
    }

    [Fact]
    public async Task RunAsync_JournalKept_WritesTheDigestsAFoldWrites()
    {
        var target = new RecordingMirrorTarget(batchSize: 10);
        await RunAsync(Members(0, 100), target);
        await RunAsync(Members(4, 104), target);
        var kept = DigestsWithoutJournalEnd();

        Assert.True(await _snapshot.CommitAsync(CancellationToken.None));

        Assert.Equal(DigestsWithoutJournalEnd(), kept);
        Assert.Empty(await _snapshot.JournalAsync(CancellationToken.None));
        Assert.Equal(target.Held, await HeldAsync());
    }

    [Fact]
    public async Task RunAsync_JournalGrownToTheFoldShare_FoldsItIntoANewSnapshot()
    {
        var target = new RecordingMirrorTarget(batchSize: 10);
        await RunAsync(Members(0, 100), target, foldPercent: 15);
        await RunAsync(Members(4, 104), target, foldPercent: 15); // 8 % of the snapshot journaled: kept
        var journaled = (await _snapshot.JournalAsync(CancellationToken.None)).Count;

        await RunAsync(Members(8, 108), target, foldPercent: 15); // 16 %: folded

        Assert.Equal(2, journaled);
        Assert.Empty(await _snapshot.JournalAsync(CancellationToken.None));
        Assert.Equal(MirrorMembers.Expected(Members(8, 108)), await HeldAsync());
    }

    [Theory]
    [InlineData(10, 12, false)] // 60 left, 60 joined: 12 objects of 10 (12 % of the snapshot), kept
    [InlineData(1, 120, true)] // the same in 120 objects of 1: more than MaxJournalObjects, folded
    public async Task RunAsync_JournalOfManyObjects_IsFoldedBeyondTheLimit(int batchSize, int objects, bool folded)
    {
        var target = new RecordingMirrorTarget(batchSize);
        await RunAsync(Members(0, 1_000), target);

        var result = await RunAsync(Members(60, 1_060), target);

        Assert.Equal((objects, 60L, 60L), (result.Batches, result.Added, result.Removed));
        Assert.Equal(folded ? 0 : objects, (await _snapshot.JournalAsync(CancellationToken.None)).Count);
        Assert.Equal(MirrorMembers.Expected(Members(60, 1_060)), await HeldAsync());
    }

    [Fact]
    public async Task RunAsync_RefusedAfterAKeptJournal_ResumesExactly()
    {
        var target = new RecordingMirrorTarget(batchSize: 2);
        await RunAsync(Members(0, 100), target);
        await RunAsync(Members(3, 103), target); // kept in the journal
        target.Calls.Clear();
        target.RefuseCalls.Add(2); // 103–106 join, 3–6 leave: the second remove batch refused

        var failed = await RunAsync(Members(7, 107), target);
        var resumed = await RunAsync(Members(7, 107), target);

        Assert.Equal((MirrorSyncOutcome.Failed, 2L), (failed.Outcome, failed.Removed));
        Assert.Equal((MirrorSyncOutcome.Synced, 2L, 4L), (resumed.Outcome, resumed.Removed, resumed.Added));
        Assert.Equal(MirrorMembers.Expected(Members(7, 107)), target.Held);
        Assert.Equal(target.Held, await HeldAsync());
        Assert.Equal(4, target.Accepted(MirrorChange.Remove).Distinct().Count());
        Assert.Equal(4, target.Accepted(MirrorChange.Remove).Count());
    }
}
