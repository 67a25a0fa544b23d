using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Jobs;
using Portal.Core.Segments;
using Portal.Tests.Core.Segments;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>The full resync of an audience: operators only, audited, every member sent again into the same id.</summary>
public sealed class AudienceResyncTests : DatabaseTest
{
    [Fact]
    public async Task Queue_Viewer_IsRefusedAndQueuesNothing()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<AudienceResync>().QueueAsync("demo_audience", null, CoreHost.Viewer));

        await using var db = await host.DbAsync();
        Assert.Empty(await db.Jobs.ToListAsync());
    }

    [Fact]
    public async Task Queue_ExportedAudience_IsAuditedAndSendsEveryMemberAgainIntoTheSameId()
    {
        await using var env = await SandboxHost.StartAsync(Folder, seedDemoData: true);
        var segment = await SegmentAudiencesTests.SegmentAsync(env.Host, "Resynced", 40);
        var (audience, export) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.AdtechB, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(export.Id, j => j.Status == JobStatus.Succeeded, "the export");
        var id = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(AdtechKeys.AdtechB);

        var job = await env.Host.Get<AudienceResync>().QueueAsync(audience, AdtechKeys.AdtechB, CoreHost.Marketer);
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
}
