using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

public sealed class MirrorSyncTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly LocalBucket _bucket;

    public MirrorSyncTests() => _bucket = new LocalBucket(Path.Combine(_folder.Path, "bucket"));

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// A sync whose sort runs are small (a few hundred members each), so that most syncs merge several; with
    /// <paramref name="digestMembers"/> below the snapshot's size, its digests are looked up by partition.
    /// </summary>
    private MirrorSync Sync(int runBytes = 32 * 1024, int digestMembers = 1_000_000) =>
        new(_bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work"), RunBytes = runBytes, DigestMembers = digestMembers });

    private Task<MirrorSyncResult> RunAsync(IEnumerable<Member> members, IMirrorTarget target, int runBytes = 32 * 1024, int digestMembers = 1_000_000) =>
        Sync(runBytes, digestMembers).RunAsync("demo", "adtechB", members.ToAsyncEnumerable(), MirrorMembers.India, target);

    /// <summary>
    /// Random members of a universe of 2,000: some with two emails in either order (the same member), some twice, some
    /// with nothing valid; a member's number decides its identifiers.
    /// </summary>
    private static List<Member> RandomMembers(Random random, double share)
    {
        var members = new List<Member>();
        for (var i = 0; i < 2_000; i++)
        {
            if (random.NextDouble() >= share)
            {
                continue;
            }

            var member = (i % 7) switch
            {
                0 => new Member([$"a{i}@example.com", $"b{i}@example.com"], [], []),
                1 => new Member(["not an email"], ["12"], []), // nothing valid: never sent
                _ => MirrorMembers.Numbered(i),
            };
            members.Add(member);
            if (random.Next(10) == 0)
            {
                members.Add(member with { Emails = [.. member.Emails.Reverse()] });
            }
        }

        return [.. members.OrderBy(_ => random.Next())];
    }

    [Theory]
    [InlineData(1, 1_000_000)]
    [InlineData(2, 1_000_000)]
    [InlineData(3, 1_000_000)]
    [InlineData(4, 1_000_000)]
    [InlineData(5, 1_000_000)]
    [InlineData(6, 300)] // the snapshot's digests in 4 partitions: the members read twice
    [InlineData(7, 100)]
    [InlineData(8, 16)]
    public async Task RunAsync_RandomMembersAfterOthers_SendsExactlyTheSetDifferences(int seed, int digestMembers)
    {
        var random = new Random(seed);
        var (before, after) = (RandomMembers(random, 0.6), RandomMembers(random, 0.6));
        var (held, wanted) = (MirrorMembers.Expected(before), MirrorMembers.Expected(after));
        var target = new RecordingMirrorTarget(batchSize: 37);
        await RunAsync(before, target, digestMembers: digestMembers);
        Assert.Equal(held, target.Held);
        target.Calls.Clear();

        var result = await RunAsync(after, target, digestMembers: digestMembers);

        Assert.Equal(MirrorSyncOutcome.Synced, result.Outcome);
        Assert.Equal(wanted, target.Held);
        var (adds, removes) = (target.Accepted(MirrorChange.Add).ToList(), target.Accepted(MirrorChange.Remove).ToList());
        Assert.Equal(wanted.Except(held).Order(), adds.Order());
        Assert.Equal(held.Except(wanted).Order(), removes.Order());
        Assert.Equal((adds.Count, removes.Count), (result.Added, result.Removed));
        Assert.Equal((result.Added, result.Removed), (result.ToAdd, result.ToRemove));
        Assert.Equal(wanted.Intersect(held).Count(), result.Unchanged);
        Assert.Equal(after.Count - wanted.Count - result.EmptyMembers, result.Duplicates);
        Assert.Equal(after.Count(m => m.Emails is ["not an email"]), result.EmptyMembers);
        Assert.Equal(2 * result.EmptyMembers, result.Invalid);
        var lastRemove = target.Calls.FindLastIndex(c => c.Change == MirrorChange.Remove);
        Assert.True(lastRemove < target.Calls.FindIndex(c => c.Change == MirrorChange.Add), "every remove goes before the first add");
    }

    [Fact]
    public async Task RunAsync_SameMembersAgainInAnotherOrder_SendsNothingAndSaysNoChange()
    {
        var members = Enumerable.Range(0, 500).Select(MirrorMembers.Numbered).ToList();
        var target = new RecordingMirrorTarget();
        var first = await RunAsync(members, target);
        var snapshot = await File.ReadAllBytesAsync(Path.Combine(_bucket.Root, "sync", "demo", "adtechB.snapshot"));
        target.Calls.Clear();

        var again = await RunAsync(Enumerable.Reverse(members), target);

        Assert.Equal((MirrorSyncOutcome.Synced, 500L), (first.Outcome, first.Added));
        Assert.Equal(MirrorSyncOutcome.NoChange, again.Outcome);
        Assert.Empty(target.Calls);
        Assert.Equal((0L, 0L, 500L, 0), (again.Added, again.Removed, again.Unchanged, again.Batches));
        Assert.Null(again.LastAnswer);
        Assert.Equal(snapshot, await File.ReadAllBytesAsync(Path.Combine(_bucket.Root, "sync", "demo", "adtechB.snapshot")));
    }

    [Fact]
    public async Task RunAsync_NoMembersAndNoSnapshot_SendsNothing()
    {
        var target = new RecordingMirrorTarget();

        var result = await RunAsync([], target);

        Assert.Equal(MirrorSyncOutcome.NoChange, result.Outcome);
        Assert.Empty(target.Calls);
    }

    [Fact]
    public async Task RunAsync_OtherAudienceOrAdtech_KeepsItsOwnSnapshot()
    {
        var target = new RecordingMirrorTarget();
        await RunAsync([MirrorMembers.Numbered(1)], target);

        var other = await Sync().RunAsync("demo", "adtechA", new[] { MirrorMembers.Numbered(1) }.ToAsyncEnumerable(), MirrorMembers.India, new RecordingMirrorTarget());

        Assert.Equal((MirrorSyncOutcome.Synced, 1L), (other.Outcome, other.Added));
    }

    [Fact]
    public async Task RunAsync_AfterwardsTheWorkFolder_IsEmpty()
    {
        await RunAsync(Enumerable.Range(0, 300).Select(MirrorMembers.Numbered), new RecordingMirrorTarget(), runBytes: 4096);

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_folder.Path, "work")));
    }
}
