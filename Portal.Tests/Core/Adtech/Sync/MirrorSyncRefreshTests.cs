using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>A target whose members expire (Google: 540 days after their last add) gets them again before they do.</summary>
public sealed class MirrorSyncRefreshTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero);

    private readonly TestFolder _folder = new();
    private readonly LocalBucket _bucket;
    private readonly FixedClock _clock = new(Start);

    public MirrorSyncRefreshTests() => _bucket = new LocalBucket(Path.Combine(_folder.Path, "bucket"));

    public void Dispose() => _folder.Dispose();

    private Task<MirrorSyncResult> RunAsync(IEnumerable<Member> members, IMirrorTarget target) =>
        new MirrorSync(_bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work") }, _clock)
            .RunAsync("demo", "google", members.ToAsyncEnumerable(), MirrorMembers.India, target);

    private static List<Member> Range(int from, int count) => [.. Enumerable.Range(from, count).Select(MirrorMembers.Numbered)];

    /// <summary>Each member's last accepted day in the snapshot, by identity.</summary>
    private async Task<Dictionary<string, DateOnly>> DaysAsync()
    {
        var days = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        await using var records = await new MirrorSnapshot(_bucket, "demo", "google").OpenAsync(CancellationToken.None);
        while (await records.MoveNextAsync(CancellationToken.None))
        {
            days[MirrorMembers.Identity(MirrorRecord.Read(records.Current))] = DateOnly.FromDayNumber(MirrorRecord.Day(records.Current));
        }

        return days;
    }

    /// <summary>Members 0–9 added on day 0, members 10–19 on day 420; the clock then at day 520.</summary>
    private async Task<RecordingMirrorTarget> AddedOnDays0And420Async(TimeSpan? lifetime)
    {
        var target = new RecordingMirrorTarget(batchSize: 4) { MembershipLifetime = lifetime };
        await RunAsync(Range(0, 10), target);
        _clock.Now = Start.AddDays(420);
        await RunAsync(Range(0, 20), target);
        _clock.Now = Start.AddDays(520);
        target.Calls.Clear();
        return target;
    }

    [Fact]
    public async Task RunAsync_Added520DaysAgoWithA540DayLifetime_IsAddedAgainAndItsDayAdvances()
    {
        var target = await AddedOnDays0And420Async(TimeSpan.FromDays(540));

        var result = await RunAsync(Range(0, 20), target);
        var again = await RunAsync(Range(0, 20), target);

        Assert.Equal(MirrorSyncOutcome.Synced, result.Outcome);
        Assert.Equal((0L, 0L, 10L, 10L, 10L), (result.Added, result.Removed, result.Refreshed, result.ToRefresh, result.Unchanged));
        Assert.Equal(MirrorMembers.Expected(Range(0, 10)).Order(), target.Accepted(MirrorChange.Add).Order());
        Assert.All(target.Calls, call => Assert.Equal(MirrorChange.Add, call.Change));
        var days = await DaysAsync();
        var today = DateOnly.FromDateTime(Start.AddDays(520).UtcDateTime);
        Assert.All(MirrorMembers.Expected(Range(0, 10)), member => Assert.Equal(today, days[member]));
        Assert.All(MirrorMembers.Expected(Range(10, 10)), member => Assert.Equal(today.AddDays(-100), days[member]));
        Assert.Equal((MirrorSyncOutcome.NoChange, 0L), (again.Outcome, again.Refreshed));
    }

    [Fact]
    public async Task RunAsync_TargetWithoutALifetime_NeverAddsHeldMembersAgain()
    {
        var target = await AddedOnDays0And420Async(lifetime: null);

        var result = await RunAsync(Range(0, 20), target);

        Assert.Equal((MirrorSyncOutcome.NoChange, 0L, 20L), (result.Outcome, result.Refreshed, result.Unchanged));
        Assert.Empty(target.Calls);
    }

    [Fact]
    public async Task RunAsync_RefreshRefusedThenRunAgain_SendsTheRestOnly()
    {
        var target = await AddedOnDays0And420Async(TimeSpan.FromDays(540));
        target.RefuseCalls.Add(2);

        var failed = await RunAsync(Range(0, 20), target);
        var resumed = await RunAsync(Range(0, 20), target);

        Assert.Equal((MirrorSyncOutcome.Failed, 4L), (failed.Outcome, failed.Refreshed));
        Assert.Equal((MirrorSyncOutcome.Synced, 6L, 14L), (resumed.Outcome, resumed.Refreshed, resumed.Unchanged));
    }
}
