using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.Core.Rules;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Segments;

/// <summary>Segments feeding audiences: export, the segment source, re-export after a refresh. Against the sandbox on loopback.</summary>
public sealed class SegmentAudiencesTests : DatabaseTest
{
    private Task<SandboxHost> StartAsync() => SandboxHost.StartAsync(Folder, seedDemoData: true);

    /// <summary>A saved rule whose segment holds the first <paramref name="members"/> users, as a refresh would leave it.</summary>
    private static async Task<Segment> SegmentAsync(CoreHost host, string name, int members, bool refreshed = true)
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
    public async Task MarkForReexport_AfterPosting_DropsTheDataAndMakesItPendingAgain()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Loyal", 50);
        var segments = env.Host.Get<SegmentAudiences>();
        var (audience, job) = await segments.ExportAsync(segment.Id, AdtechKeys.AdtechA, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(job.Id, j => j.IsFinished, "the export job");
        var postedId = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(AdtechKeys.AdtechA);
        Assert.NotNull(postedId);

        Assert.Equal([audience], await segments.MarkForReexportAsync("Loyal"));

        var entry = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!;
        Assert.False(entry.HasMemberData);
        Assert.Null(entry.State!.AdtechId(AdtechKeys.AdtechA));
        Assert.Equal(postedId, entry.State.AdtechSetting(AdtechKeys.AdtechA, "replaced_id"));
        Assert.Contains("re-export pending", entry.State.AdtechLastResponse(AdtechKeys.AdtechA)!.Message, StringComparison.Ordinal);
        Assert.True(entry.IsValid, string.Join("; ", entry.Issues));
    }

    [Fact]
    public async Task RefreshJob_SegmentFeedingAPostedAudience_MarksItForReexport()
    {
        await using var env = await StartAsync();
        var segment = await SegmentAsync(env.Host, "Tier one", 30);
        var (audience, export) = await env.Host.Get<SegmentAudiences>().ExportAsync(segment.Id, AdtechKeys.AdtechB, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(export.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the export");

        var refresh = await env.Host.Get<Portal.Core.Jobs.JobQueue>().EnqueueRefreshAsync(segment.RuleId, "Tier one", CoreHost.Marketer);
        await env.Host.WaitForJobAsync(refresh.Id, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the refresh");

        var entry = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!;
        // No data until the next run fetches the new members: NOT_FETCHED, then NOT_POSTED, then POSTED again.
        Assert.Equal(AdtechStatus.NotFetched, entry.State!.StatusOf(AdtechKeys.AdtechB, entry.HasMemberData));
        Assert.Null(entry.State.AdtechId(AdtechKeys.AdtechB));
        Assert.NotNull(entry.State.AdtechSetting(AdtechKeys.AdtechB, "replaced_id"));
        Assert.False(entry.HasMemberData);
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
