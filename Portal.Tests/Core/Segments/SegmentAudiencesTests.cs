using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.Core.Rules;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Segments;

/// <summary>Segments feeding audiences: export, the segment source, sync after a refresh. Against the sandbox on loopback.</summary>
public sealed class SegmentAudiencesTests : DatabaseTest
{
    private Task<SandboxHost> StartAsync() => SandboxHost.StartAsync(Folder, seedDemoData: true);

    /// <summary>A saved rule whose segment holds the first <paramref name="members"/> users, as a refresh would leave it.</summary>
    internal static async Task<Segment> SegmentAsync(CoreHost host, string name, int members, bool refreshed = true)
    {
        var rule = (await host.Get<RuleService>().SaveAsync(null, RuleSamples.Draft(name), null, CoreHost.Marketer)).Rule!;
        await using var db = await host.DbAsync();
        var segment = await db.Segments.SingleAsync(s => s.RuleId == rule.Id);
        var users = await db.Customers.OrderBy(c => c.UserId).Take(members).Select(c => c.UserId).ToListAsync();
        db.SegmentMembers.AddRange(users.Select(u => new SegmentMember { SegmentId = segment.Id, UserId = u }));
        segment.RowCount = users.Count;
        segment.LastRefreshedAt = refreshed ? DateTime.UtcNow : null;
        segment.Status = refreshed ? SegmentStatus.Fresh : SegmentStatus.NeverRun;
        await db.SaveChangesAsync();
        return segment;
    }

    [Fact]
    public async Task Export_ThenRun_CreatesTheAudienceFetchesTheSegmentAndPosts()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Big Spenders!", 120);

        var (audience, job) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.AdtechB, CoreHost.Marketer);

        Assert.Equal("segment_big_spenders", audience);
        Assert.Equal(CatalogRunJob.PayloadFor(audience, AdtechKeys.AdtechB), job.Payload);
        var state = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!;
        Assert.Equal("Big Spenders!", state.SourceSegment);
        Assert.Equal([AdtechKeys.AdtechB], state.AdtechKeysPresent);

        await env.Host.WaitForJobAsync(job.Id, j => j.IsFinished, "the export job");
        var overview = Assert.Single(await env.Host.Get<SegmentAudiences>().FedByAsync("Big Spenders!"));
        Assert.Equal(120, overview.Members);
        Assert.Equal(AdtechStatus.Posted, overview.Adtechs.Single().Status);
        Assert.Equal(120, env.Sandbox.State.AudienceMembers.Values.Sum());
        Assert.Contains("members from segment 'Big Spenders!'", overview.SourceResponse!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueSync_AfterPosting_DropsTheDataKeepsTheIdAndQueuesASync()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Loyal", 50);
        var segments = env.Host.Get<SegmentAudiences>();
        var (audience, job) = await segments.ExportAsync(segment.Id, AdtechKeys.AdtechA, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(job.Id, j => j.IsFinished, "the export job");
        var postedId = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(AdtechKeys.AdtechA);
        Assert.NotNull(postedId);

        Assert.Equal([audience], await segments.QueueSyncAsync("Loyal"));

        await using var db = await env.Host.DbAsync();
        var sync = await db.Jobs.Where(j => j.Id > job.Id).SingleAsync();
        Assert.Equal(CatalogRunJob.SyncPayloadFor(audience, null), sync.Payload);
        var entry = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!;
        Assert.Equal(postedId, entry.State!.AdtechId(AdtechKeys.AdtechA));
        Assert.Null(entry.State.AdtechSetting(AdtechKeys.AdtechA, "replaced_id"));
        Assert.True(entry.IsValid, string.Join("; ", entry.Issues));
    }

    [Fact]
    public async Task QueueSync_AdtechWithSyncAfterRefreshOff_QueuesNoSyncThereAndSaysSo()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Quiet", 20);
        var segments = env.Host.Get<SegmentAudiences>();
        var (audience, job) = await segments.ExportAsync(segment.Id, AdtechKeys.AdtechB, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(job.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the export job");
        var editor = env.Host.Get<AudienceEditor>();
        var opened = (await editor.OpenAsync(audience))!;
        var state = editor.Parse(audience, opened.Text).State!;
        state.SetAdtechSetting(AdtechKeys.AdtechB, AdtechKeys.SyncAfterRefresh, "false");
        Assert.Equal(SaveOutcome.Saved, (await editor.SaveAsync(audience, state.ToYaml(), opened.Version, CoreHost.Marketer)).Outcome);

        Assert.Empty(await segments.QueueSyncAsync("Quiet"));

        await using var db = await env.Host.DbAsync();
        Assert.False(await db.Jobs.AnyAsync(j => j.Id > job.Id));
        var after = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!;
        Assert.Equal("Segment 'Quiet' was refreshed: syncs on its schedule or with Sync now.", after.AdtechLastResponse(AdtechKeys.AdtechB)!.Message);
    }

    [Fact]
    public async Task RefreshJob_SegmentFeedingAPostedAudience_SyncsTheSameAudienceIdAndASecondSyncSendsNothing()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Tier one", 30);
        var (audience, export) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.AdtechB, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(export.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the export");
        var id = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(AdtechKeys.AdtechB)!;

        var refresh = await env.Host.Get<Portal.Core.Jobs.JobQueue>().EnqueueRefreshAsync(segment.RuleId, "Tier one", CoreHost.Marketer);
        await env.Host.WaitForJobAsync(refresh.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the refresh");
        var sync = await SyncRunAsync(env, export.Id);

        var entry = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!;
        Assert.Equal(id, entry.State!.AdtechId(AdtechKeys.AdtechB));
        Assert.Null(entry.State.AdtechSetting(AdtechKeys.AdtechB, "replaced_id"));
        Assert.Equal(id, Assert.Single(env.Sandbox.State.AudienceMembers.Keys));
        Assert.Equal(("Synced", id), (sync.SyncOutcome, sync.AdtechAudienceId));
        Assert.True(sync is { Added: > 0, Removed: > 0 }, $"+{sync.Added} / -{sync.Removed}");
        Assert.Equal(sync.Unchanged + sync.Added, env.Sandbox.State.Members.Of(id).Count);
        Assert.Equal(sync.Removed, env.Sandbox.State.Calls.Where(c => c.Api == "adtechB:remove").Sum(c => c.Members));
        Assert.Contains($"+{sync.Added:N0} / −{sync.Removed:N0}", sync.ResponseMessage, StringComparison.Ordinal);

        var calls = env.Sandbox.State.Calls.Count;
        var again = await env.Host.Get<Portal.Core.Jobs.JobQueue>().EnqueueAsync(CatalogRunJob.Kind, CoreHost.Marketer, CatalogRunJob.SyncPayloadFor(audience, null), "sync again");
        await env.Host.WaitForJobAsync(again.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the second sync");
        await using var db = await env.Host.DbAsync();
        var second = await db.ExportRuns.OrderByDescending(r => r.Id).FirstAsync();
        Assert.Equal(("NoChange", 0L, 0L), (second.SyncOutcome, second.Added, second.Removed));
        Assert.Equal(calls, env.Sandbox.State.Calls.Count);
    }

    [Theory]
    [InlineData(AdtechKeys.Meta)]
    [InlineData(AdtechKeys.GoogleAds)]
    public async Task RefreshJob_SegmentFeedingAMetaOrGoogleAudience_SyncsIntoTheSameIdAndASecondSyncSendsNothing(string adtech)
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Tier one", 30);
        var (audience, export) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, adtech, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(export.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the export");
        var id = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(adtech)!;

        var refresh = await env.Host.Get<Portal.Core.Jobs.JobQueue>().EnqueueRefreshAsync(segment.RuleId, "Tier one", CoreHost.Marketer);
        await env.Host.WaitForJobAsync(refresh.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the refresh");
        var sync = await SyncRunAsync(env, export.Id);

        Assert.Equal(id, (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(adtech));
        Assert.Equal(("Synced", id), (sync.SyncOutcome, sync.AdtechAudienceId));
        Assert.True(sync is { Added: > 0, Removed: > 0 }, $"+{sync.Added} / -{sync.Removed}");

        var again = await env.Host.Get<Portal.Core.Jobs.JobQueue>().EnqueueAsync(CatalogRunJob.Kind, CoreHost.Marketer, CatalogRunJob.SyncPayloadFor(audience, null), "sync again");
        await env.Host.WaitForJobAsync(again.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the second sync");
        await using var db = await env.Host.DbAsync();
        var second = await db.ExportRuns.OrderByDescending(r => r.Id).FirstAsync();
        Assert.Equal(("NoChange", 0L, 0L), (second.SyncOutcome, second.Added, second.Removed));
    }

    /// <summary>Waits for the sync job queued after <paramref name="afterJob"/> to succeed; its run.</summary>
    private static async Task<Portal.Core.Adtech.ExportRun> SyncRunAsync(SandboxHost env, long afterJob)
    {
        long syncJob = 0;
        await env.Host.WaitUntilAsync(async () =>
        {
            await using var db = await env.Host.DbAsync();
            syncJob = await db.Jobs.Where(j => j.Id > afterJob && j.Kind == CatalogRunJob.Kind).Select(j => j.Id).FirstOrDefaultAsync();
            return syncJob != 0;
        }, "the sync job to be queued");
        await env.Host.WaitForJobAsync(syncJob, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the sync");
        await using var read = await env.Host.DbAsync();
        return await read.ExportRuns.Where(r => r.JobId == syncJob).SingleAsync();
    }

    [Fact]
    public async Task Fetch_NeverRefreshedSegment_FailsWithAClearMessage()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Fresh off the press", 10, refreshed: false);
        var (audience, job) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.Meta, CoreHost.Marketer);
        var finished = await env.Host.WaitForJobAsync(job.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Failed || j.Attempts >= 1 && j.Error is not null, "the export to fail");
        Assert.Contains("has never been refreshed", finished.Error, StringComparison.Ordinal);
        Assert.False((await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.HasMemberData);
    }

    [Fact]
    public async Task Export_Viewer_IsRefused()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Any", 1);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.Meta, CoreHost.Viewer));
    }
}
