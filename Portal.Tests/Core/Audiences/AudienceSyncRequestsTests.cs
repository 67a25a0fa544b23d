using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Jobs;
using Portal.Core.Segments;
using Portal.Tests.Core.Segments;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>
/// Syncs people ask for: "Sync now" (members fetched again, the difference sent) and "Full resync" (every member sent
/// again into the same id); operators only, audited.
/// </summary>
public sealed class AudienceSyncRequestsTests : DatabaseTest
{
    [Fact]
    public async Task QueueFullResync_Viewer_IsRefusedAndQueuesNothing()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<AudienceSyncRequests>().QueueFullResyncAsync("demo_audience", null, CoreHost.Viewer));

        await using var db = await host.DbAsync();
        Assert.Empty(await db.Jobs.ToListAsync());
    }

    [Fact]
    public async Task QueueFullResync_ExportedAudience_IsAuditedAndSendsEveryMemberAgainIntoTheSameId()
    {
        await using var env = await SandboxHost.StartAsync(Folder, seedDemoData: true);
        var segment = await SegmentAudiencesTests.SegmentAsync(env.Host, "Resynced", 40);
        var (audience, export) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.AdtechB, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(export.Id, j => j.Status == JobStatus.Succeeded, "the export");
        var id = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(AdtechKeys.AdtechB);

        var job = await env.Host.Get<AudienceSyncRequests>().QueueFullResyncAsync(audience, AdtechKeys.AdtechB, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(job.Id, j => j.Status == JobStatus.Succeeded, "the resync");

        Assert.Equal(CatalogRunJob.SyncPayloadFor(audience, AdtechKeys.AdtechB, full: true), job.Payload);
        await using var db = await env.Host.DbAsync();
        var run = await db.ExportRuns.SingleAsync(r => r.JobId == job.Id);
        Assert.Equal(("Synced", id, 40L, 0L), (run.SyncOutcome, run.AdtechAudienceId, run.Added, run.Removed));
        Assert.Equal(id, Assert.Single(env.Sandbox.State.AudienceMembers.Keys));
        Assert.Equal(40, env.Sandbox.State.Members.Of(id!).Count);
        var (entries, _) = await env.Host.Get<AuditLog>().ListAsync("audience.resync", 0, 10);
        Assert.Contains(entries, e => e.Target == $"audience:{audience}");
    }

    [Fact]
    public async Task QueueSync_SegmentMembersChangedSinceTheExport_FetchesThemAgainAndSendsOnlyTheDifference()
    {
        await using var env = await SandboxHost.StartAsync(Folder, seedDemoData: true);
        var segment = await SegmentAudiencesTests.SegmentAsync(env.Host, "Synced now", 30);
        var (audience, export) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.AdtechB, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(export.Id, j => j.Status == JobStatus.Succeeded, "the export");
        var id = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(AdtechKeys.AdtechB)!;
        await using (var db = await env.Host.DbAsync())
        {
            // 10 members leave and 12 join; the member data the export fetched is still there, now out of date.
            var leaving = await db.SegmentMembers.Where(m => m.SegmentId == segment.Id).OrderBy(m => m.UserId).Take(10).ToListAsync();
            db.SegmentMembers.RemoveRange(leaving);
            var joining = await db.Customers.OrderByDescending(c => c.UserId).Take(12).Select(c => c.UserId).ToListAsync();
            db.SegmentMembers.AddRange(joining.Select(u => new SegmentMember { SegmentId = segment.Id, UserId = u }));
            await db.SaveChangesAsync();
        }

        Assert.True((await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.HasMemberData);
        var job = await env.Host.Get<AudienceSyncRequests>().QueueSyncAsync(audience, AdtechKeys.AdtechB, CoreHost.Marketer);
        var done = await env.Host.WaitForJobAsync(job.Id, j => j.Status == JobStatus.Succeeded, "the sync");

        Assert.Equal($"{audience}: synced to adtechB", done.ProgressMessage);
        await using var read = await env.Host.DbAsync();
        var run = await read.ExportRuns.SingleAsync(r => r.JobId == job.Id);
        Assert.Equal(("Synced", id, 12L, 10L), (run.SyncOutcome, run.AdtechAudienceId, run.Added, run.Removed));
        Assert.Equal(32, env.Sandbox.State.Members.Of(id).Count);
        var (entries, _) = await env.Host.Get<AuditLog>().ListAsync("audience.sync", 0, 10);
        Assert.Contains(entries, e => e.Target == $"audience:{audience}");
    }
}
