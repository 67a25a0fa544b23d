using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>A Google Customer Match list kept in sync through the Data Manager API, against the sandbox.</summary>
public sealed class GoogleDataManagerMirrorTargetTests : SandboxSyncTest
{
    private const string Yaml = "g:\n  description: d\n  country: IN\n  source: {endpoint: g/}\n  googleAds:\n    name: G\n";

    private static AudienceState State() => AudienceStateParser.Parse("g.yml", Yaml).State!;

    private static GoogleDataManagerConnector Connector() =>
        new(new AdtechHttp(new HttpClient(), new AdtechRetryOptions { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 }, TimeProvider.System), TimeProvider.System);

    private AdtechConnection Sandbox() => new(AdtechKeys.GoogleAds, new Uri(Server.DataManagerBaseUrl), "123-456-7890", Server.State.AccessToken);

    private static NormalizationOptions Normalization => Connector().Normalization(State().RequireCountry());

    private Task<MirrorSyncResult> SyncAsync(IEnumerable<Member> members, IMirrorTarget target) => SyncAsync(AdtechKeys.GoogleAds, members, Normalization, target);

    /// <summary>The sandbox's keys of the members as their ingests send them (emails and phones; no postal code).</summary>
    private static HashSet<UInt128> Expected(IEnumerable<Member> members)
    {
        var stats = new HashStats();
        return [.. members.Select(m => stats.Hash(m, Normalization)).Where(h => !h.IsEmpty).Select(h => SandboxMembers.RowKey(h.Emails, h.Phones, []))];
    }

    private async Task<string> CreateListAsync()
    {
        var outcome = await Connector().UploadAsync(State(), Sandbox(), AsyncEnumerable.Empty<Member>());
        Assert.True(outcome.Succeeded, outcome.Response.Message);
        return outcome.Id!;
    }

    [Theory]
    [InlineData("", 540)] // no life span set: Google's longest
    [InlineData("    membership_life_span: 30\n", 30)]
    [InlineData("    membership_life_span: 10000\n", 540)] // the former "no expiry", sent as 540
    public void MirrorTarget_ListLifeSpan_IsTheMembershipLifetimeASyncRefreshesBefore(string setting, int days)
    {
        var state = AudienceStateParser.Parse("g.yml", Yaml + setting).State!;

        var target = Connector().MirrorTarget(Sandbox(), state, "accountTypes/GOOGLE_ADS/accounts/1234567890/userLists/42");

        Assert.Equal(TimeSpan.FromDays(days), target.MembershipLifetime);
    }

    [Fact]
    public async Task Sync_MembersChangedBetweenSyncs_SameListHoldsExactlyTheNewMembers()
    {
        var list = await CreateListAsync();
        var target = Connector().MirrorTarget(Sandbox(), State(), list);
        var before = Enumerable.Range(0, 300).Select(MirrorMembers.Numbered).ToList();
        var after = Enumerable.Range(100, 300).Select(MirrorMembers.Numbered).ToList();
        var first = await SyncAsync(before, target);
        Assert.Equal((MirrorSyncOutcome.Synced, 300L), (first.Outcome, first.Added));
        Assert.Equal(Expected(before), Server.State.DataManager.Members(list));

        var second = await SyncAsync(after, target);

        Assert.Equal((MirrorSyncOutcome.Synced, 100L, 100L, 200L), (second.Outcome, second.Removed, second.Added, second.Unchanged));
        Assert.Equal(Expected(after), Server.State.DataManager.Members(list));
        Assert.Equal([list], Server.State.DataManager.Lists);
        Assert.Equal(1, Server.State.DataManager.Creates);
    }

    [Fact]
    public async Task Sync_MoreThanARequestOfMembers_SentInRequestsOfAtMost10000()
    {
        var list = await CreateListAsync();
        var target = Connector().MirrorTarget(Sandbox(), State(), list);
        var members = Enumerable.Range(0, 25_000).Select(MirrorMembers.Numbered).ToList();

        var result = await SyncAsync(members, target);

        Assert.Equal((MirrorSyncOutcome.Synced, 25_000L, 3), (result.Outcome, result.Added, result.Batches));
        Assert.Equal(25_000, Server.State.DataManager.Members(list).Count);
    }

    [Fact]
    public async Task Sync_RemoveRefused_NothingIsAddedAndTheNextSyncFinishes()
    {
        var list = await CreateListAsync();
        var target = Connector().MirrorTarget(Sandbox(), State(), list);
        await SyncAsync(Enumerable.Range(0, 20).Select(MirrorMembers.Numbered), target);
        var after = Enumerable.Range(10, 20).Select(MirrorMembers.Numbered).ToList();
        Server.State.Faults.Enqueue(new SandboxFault("audienceMembers:remove", 400));

        var failed = await SyncAsync(after, target);
        var resumed = await SyncAsync(after, target);

        Assert.Equal((MirrorSyncOutcome.Failed, 0L), (failed.Outcome, failed.Added));
        Assert.Equal((MirrorSyncOutcome.Synced, 10L, 10L), (resumed.Outcome, resumed.Removed, resumed.Added));
        Assert.Equal(Expected(after), Server.State.DataManager.Members(list));
    }

    [Fact]
    public async Task RemoveAddedBefore_AfterEveryMemberWasAddedAgain_LeavesExactlyThem()
    {
        var list = await CreateListAsync();
        var clock = new FixedClock(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        Server.State.DataManager.Clock = clock;
        var target = (GoogleDataManagerMirrorTarget)Connector().MirrorTarget(Sandbox(), State(), list);
        var old = Enumerable.Range(0, 50).Select(MirrorMembers.Numbered).ToList();
        await SyncAsync(old, target);
        clock.Now = clock.Now.AddHours(1);
        var started = clock.Now;
        var current = Enumerable.Range(30, 50).Select(MirrorMembers.Numbered).ToList();
        var stats = new HashStats();
        Assert.True((await target.AddAsync([.. current.Select(m => stats.Hash(m, Normalization))], default)).Accepted);

        var answer = await target.RemoveAddedBeforeAsync(started, default);

        Assert.True(answer.Accepted, answer.Message);
        Assert.Equal(Expected(current), Server.State.DataManager.Members(list));
    }
}
