using Microsoft.EntityFrameworkCore;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Core.Jobs;
using Portal.Core.Segments;
using Portal.Tests.Core.Segments;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// A Google connection that names no API uses the Data Manager API: a segment exported to Google creates one user list
/// there, a refresh syncs adds and removes into the same list, and a full resync leaves it holding exactly the members.
/// </summary>
public sealed class GoogleDataManagerCatalogTests : DatabaseTest
{
    private Task<SandboxHost> StartAsync() => SandboxHost.StartAsync(Folder, SandboxServer.UseDataManager, seedDemoData: true);

    private static async Task<(string Audience, string List)> ExportAsync(SandboxHost env, Segment segment)
    {
        var (audience, export) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.GoogleAds, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(export.Id, j => j.Status == JobStatus.Succeeded, "the export");
        return (audience, (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(AdtechKeys.GoogleAds)!);
    }

    [Fact]
    public async Task RefreshJob_SegmentFeedingAGoogleAudience_SyncsAddsAndRemovesIntoTheSameDataManagerList()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAudiencesTests.SegmentAsync(env.Host, "Tier one", 30);
        var (audience, list) = await ExportAsync(env, segment);
        Assert.StartsWith("accountTypes/GOOGLE_ADS/accounts/1234567890/userLists/", list, StringComparison.Ordinal);
        Assert.Equal(30, env.Sandbox.State.DataManager.Members(list).Count);

        var refresh = await env.Host.Get<JobQueue>().EnqueueRefreshAsync(segment.RuleId, "Tier one", CoreHost.Marketer);
        await env.Host.WaitForJobAsync(refresh.Id, j => j.Status == JobStatus.Succeeded, "the refresh");
        var sync = await LatestRunAsync(env, r => r.SyncOutcome != null);

        Assert.Equal(("Synced", list), (sync.SyncOutcome, sync.AdtechAudienceId));
        Assert.True(sync is { Added: > 0, Removed: > 0 }, $"+{sync.Added} / -{sync.Removed}");
        Assert.Equal(list, (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(AdtechKeys.GoogleAds));
        Assert.Equal([list], env.Sandbox.State.DataManager.Lists);
        Assert.Equal(1, env.Sandbox.State.DataManager.Creates);
        Assert.Equal(sync.Unchanged + sync.Added, env.Sandbox.State.DataManager.Members(list).Count);
    }

    [Fact]
    public async Task FullResync_ListHoldingAMemberTheAudienceHasNot_LeavesExactlyTheAudiencesMembers()
    {
        await using var env = await StartAsync();
        var dm = env.Sandbox.State.DataManager;
        dm.Clock = new FixedClock(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero)); // Google's clock when the list was first filled
        var segment = await SegmentAudiencesTests.SegmentAsync(env.Host, "Resynced", 40);
        var (audience, list) = await ExportAsync(env, segment);
        var members = dm.Members(list);
        var connection = (await env.Host.Get<IAdtechConnections>().GetAsync(AdtechKeys.GoogleAds))!;
        var stranger = new HashStats().Hash(new Member(["stranger@example.com"], [], []), MirrorMembers.India with { GmailRule = true });
        var http = new AdtechHttp(new HttpClient(), new AdtechRetryOptions(), TimeProvider.System);
        Assert.True((await new GoogleDataManagerMirrorTarget(new GoogleDataManagerConnector(http, TimeProvider.System), http, connection, list)
            .AddAsync([stranger], default)).Accepted);
        Assert.Equal(41, dm.Members(list).Count);
        dm.Clock = TimeProvider.System;

        var job = await env.Host.Get<AudienceSyncRequests>().QueueFullResyncAsync(audience, AdtechKeys.GoogleAds, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(job.Id, j => j.Status == JobStatus.Succeeded, "the resync");

        var run = await LatestRunAsync(env, r => r.JobId == job.Id);
        Assert.Equal(("Synced", 40L), (run.SyncOutcome, run.Added));
        Assert.True(members.SetEquals(dm.Members(list)), $"{dm.Members(list).Count} members, of which the 40 expected: {members.SetEquals(dm.Members(list))}");
    }

    private static async Task<ExportRun> LatestRunAsync(SandboxHost env, System.Linq.Expressions.Expression<Func<ExportRun, bool>> which)
    {
        ExportRun? run = null;
        await env.Host.WaitUntilAsync(async () =>
        {
            await using var db = await env.Host.DbAsync();
            run = await db.ExportRuns.Where(which).Where(r => r.Status != ExportRunStatus.Running).OrderByDescending(r => r.Id).FirstOrDefaultAsync();
            return run is not null;
        }, "the sync run");
        return run!;
    }
}
