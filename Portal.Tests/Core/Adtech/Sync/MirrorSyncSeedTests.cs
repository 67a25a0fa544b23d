using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>After the export that created an audience, its members are recorded as what the adtech holds, nothing sent.</summary>
public sealed class MirrorSyncSeedTests : IDisposable
{
    private static readonly DateTimeOffset Today = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TestFolder _folder = new();
    private readonly LocalBucket _bucket;

    public MirrorSyncSeedTests() => _bucket = new LocalBucket(Path.Combine(_folder.Path, "bucket"));

    public void Dispose() => _folder.Dispose();

    private MirrorSync Sync() => new(_bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work"), RunBytes = 16 * 1024 }, new FixedClock(Today));

    private static IAsyncEnumerable<Member> Range(int from, int count) => Enumerable.Range(from, count).Select(MirrorMembers.Numbered).ToAsyncEnumerable();

    [Fact]
    public async Task SeedAsync_ThenASyncOfChangedMembers_SendsAndHashesOnlyTheDifference()
    {
        var target = new RecordingMirrorTarget(batchSize: 20);
        await Sync().SeedAsync("demo", "adtechB", Range(0, 100), MirrorMembers.India);

        var result = await Sync().RunAsync("demo", "adtechB", Range(5, 100), MirrorMembers.India, target);

        Assert.Equal((5L, 5L, 95L, 5L), (result.Added, result.Removed, result.Unchanged, result.Hashed));
        Assert.Equal(MirrorMembers.Expected(Range(100, 5).ToBlockingEnumerable()).Order(), target.Accepted(MirrorChange.Add).Order());
        Assert.Equal(MirrorMembers.Expected(Range(0, 5).ToBlockingEnumerable()).Order(), target.Accepted(MirrorChange.Remove).Order());
    }

    [Fact]
    public async Task SeedAsync_OverAnOlderSnapshotAndJournal_HoldsExactlyTheSeededMembersAcceptedToday()
    {
        var target = new RecordingMirrorTarget(batchSize: 20) { RefuseCalls = { 2 } };
        await Sync().RunAsync("demo", "adtechB", Range(500, 60), MirrorMembers.India, target); // leaves a snapshot and a journal
        var snapshot = new MirrorSnapshot(_bucket, "demo", "adtechB");
        Assert.NotEmpty(await snapshot.JournalAsync(CancellationToken.None));

        await Sync().SeedAsync("demo", "adtechB", Range(0, 30), MirrorMembers.India);

        Assert.Empty(await snapshot.JournalAsync(CancellationToken.None));
        var held = new List<(string Member, int Day)>();
        await using var records = await snapshot.OpenAsync(CancellationToken.None);
        while (await records.MoveNextAsync(CancellationToken.None))
        {
            held.Add((MirrorMembers.Identity(MirrorRecord.Read(records.Current)), MirrorRecord.Day(records.Current)));
        }

        Assert.Equal(MirrorMembers.Expected(Range(0, 30).ToBlockingEnumerable()).Order(), held.Select(h => h.Member).Order());
        Assert.All(held, h => Assert.Equal(DateOnly.FromDateTime(Today.UtcDateTime).DayNumber, h.Day));
    }
}
