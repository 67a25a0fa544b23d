using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>A sync that the adtech refuses part-way, resumed: nothing accepted is sent again, nothing is skipped.</summary>
public sealed class MirrorSyncResumeTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly MirrorSync _sync;

    public MirrorSyncResumeTests() =>
        _sync = new MirrorSync(new LocalBucket(Path.Combine(_folder.Path, "bucket")), new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work") });

    public void Dispose() => _folder.Dispose();

    private Task<MirrorSyncResult> RunAsync(IEnumerable<Member> members, IMirrorTarget target) =>
        _sync.RunAsync("demo", "adtechB", members.ToAsyncEnumerable(), MirrorMembers.India, target);

    private static IEnumerable<Member> Members(int from, int to) => Enumerable.Range(from, to - from).Select(MirrorMembers.Numbered);

    /// <summary>A target holding members 0–99, its calls forgotten; the next sync keeps 35–134: 35 removes (4 batches), then 35 adds (4 batches).</summary>
    private async Task<RecordingMirrorTarget> HeldAsync()
    {
        var target = new RecordingMirrorTarget(batchSize: 10);
        Assert.Equal(MirrorSyncOutcome.Synced, (await RunAsync(Members(0, 100), target)).Outcome);
        target.Calls.Clear();
        return target;
    }

    /// <summary>No member was accepted twice in one direction: every accepted batch was sent once.</summary>
    private static void NothingAcceptedTwice(RecordingMirrorTarget target)
    {
        foreach (var change in new[] { MirrorChange.Add, MirrorChange.Remove })
        {
            var accepted = target.Accepted(change).ToList();
            Assert.Equal(accepted.Count, accepted.Distinct().Count());
        }
    }

    [Theory]
    [InlineData(2, 10, 0)] // the second remove batch refused: one remove batch accepted
    [InlineData(6, 35, 10)] // the second add batch refused: all removes and one add batch accepted
    public async Task RunAsync_RefusedInTheMiddleThenRunAgain_ResumesWhereItStopped(int refusedCall, long removedBefore, long addedBefore)
    {
        var target = await HeldAsync();
        target.RefuseCalls.Add(refusedCall);

        var failed = await RunAsync(Members(35, 135), target);
        var resumed = await RunAsync(Members(35, 135), target);

        Assert.Equal(MirrorSyncOutcome.Failed, failed.Outcome);
        Assert.Equal((removedBefore, addedBefore), (failed.Removed, failed.Added));
        Assert.Equal((35L, 35L), (failed.ToRemove, failed.ToAdd));
        Assert.Equal(refusedCall, target.Calls.FindIndex(c => !c.Accepted) + 1);
        Assert.False(failed.LastAnswer!.Accepted);
        Assert.Equal(MirrorSyncOutcome.Synced, resumed.Outcome);
        Assert.Equal((35 - removedBefore, 35 - addedBefore), (resumed.ToRemove, resumed.ToAdd));
        Assert.Equal(MirrorMembers.Expected(Members(35, 135)), target.Held);
        Assert.Equal(35, target.Accepted(MirrorChange.Remove).Count());
        Assert.Equal(35, target.Accepted(MirrorChange.Add).Count());
        NothingAcceptedTwice(target);
    }

    [Fact]
    public async Task RunAsync_MembersChangedBetweenAFailureAndItsResume_SendsTheNewDifferenceOnly()
    {
        var target = await HeldAsync();
        target.RefuseCalls.Add(6); // in the adds: one batch of 100–134 accepted (batches go in key order), the rest not
        await RunAsync(Members(35, 135), target);
        var held = target.Held.ToHashSet();
        var identity = Members(100, 135).ToDictionary(m => MirrorMembers.Expected([m]).Single());
        var (added, pending) = (identity.Keys.Where(held.Contains).ToList(), identity.Keys.Where(k => !held.Contains(k)).ToList());
        Assert.Equal((10, 25), (added.Count, pending.Count));

        // Since: 5 of the members added before the failure and 5 never added left; 30–34 (removed) came back; 200–209 joined.
        var now = Members(30, 100).Concat(added.Skip(5).Concat(pending.Skip(5)).Select(k => identity[k])).Concat(Members(200, 210)).ToList();
        var calls = target.Calls.Count;
        var resumed = await RunAsync(now, target);

        var wanted = MirrorMembers.Expected(now);
        Assert.Equal(MirrorSyncOutcome.Synced, resumed.Outcome);
        Assert.Equal(wanted, target.Held);
        var resumedCalls = target.Calls.Skip(calls).ToList();
        Assert.Equal(held.Except(wanted).Order(), resumedCalls.Where(c => c.Change == MirrorChange.Remove).SelectMany(c => c.Members).Order());
        Assert.Equal(wanted.Except(held).Order(), resumedCalls.Where(c => c.Change == MirrorChange.Add).SelectMany(c => c.Members).Order());
        Assert.Equal((70L, 35L, 5L), (resumed.Unchanged, resumed.Added, resumed.Removed)); // 35–99 and 5 added before; 30–34, 20 pending, 200–209; 5 left
        NothingAcceptedTwice(target);
    }
}
