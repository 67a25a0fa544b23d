using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Segments;

public sealed class RefreshSegmentJobTests : DatabaseTest
{
    private static async Task<JobRecord> FinishedAsync(CoreHost host, JobRecord job) =>
        await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished", 60);

    [Fact]
    public async Task Trigger_Rule_RefreshesAsAJobWithProgressAndTheJobOnTheHistory()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true);
        var rule = await host.SaveRuleAsync(Tier("Tier 1", "1"));

        var job = await host.Get<JobQueue>().EnqueueRefreshAsync(rule.Id, rule.Name, CoreHost.Marketer);

        Assert.Equal((RefreshSegmentJob.Kind, "{\"rule\":" + rule.Id + "}", "Refresh Tier 1"), (job.Kind, job.Payload, job.Title));
        var done = await FinishedAsync(host, job);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        Assert.Equal((1, 1), (done.ProgressDone, done.ProgressTotal));
        Assert.StartsWith("Tier 1: ", done.ProgressMessage, StringComparison.Ordinal);
        var segment = await host.SegmentOfAsync(rule.Id);
        Assert.Equal(SegmentStatus.Fresh, segment.Status);
        await using var db = await host.DbAsync();
        Assert.Equal(job.Id, (await db.SegmentRefreshes.SingleAsync(r => r.SegmentId == segment.Id)).JobId);
    }

    [Fact]
    public async Task Trigger_Parent_QueuesItsDependentsInDependencyOrderAsOneJob()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true);
        var tier1 = await host.SaveRuleAsync(Tier("Tier 1", "1"));
        var tier2 = await host.SaveRuleAsync(Tier("Tier 2", "2"));
        var union = await host.SaveRuleAsync(Draft("Tier 1 or 2", And("root")) with { Schedule = null, DependsOn = [tier2.Id, tier1.Id], Operation = SetOperation.Union });
        var top = await host.SaveRuleAsync(Draft("Top", And("root", Attr("c1", RuleFields.EmailDomain, ConditionOperator.Ne, "gmail.com"))) with
        {
            Schedule = null, DependsOn = [union.Id], Operation = SetOperation.Intersection,
        });
        await host.RefreshRuleAsync(top.Id);
        await host.SaveRuleAsync(Tier("Tier 1", "3"), tier1.Id);

        var job = await host.Get<JobQueue>().EnqueueRefreshAsync(tier1.Id, "Tier 1", CoreHost.Marketer);

        Assert.Equal(JobStatus.Succeeded, (await FinishedAsync(host, job)).Status);
        JobRecord? next = null;
        await host.WaitUntilAsync(async () =>
        {
            await using var db = await host.DbAsync();
            next = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id > job.Id && j.Kind == RefreshSegmentJob.Kind);
            return next is not null;
        }, "the dependents' refresh to be queued");
        Assert.Equal((RefreshSegmentJob.Kind, $"{{\"rules\":[{union.Id},{top.Id}]}}", "system"), (next!.Kind, next.Payload, next.RequestedBy));
        Assert.Equal(JobStatus.Succeeded, (await FinishedAsync(host, next)).Status);
        await using (var db = await host.DbAsync())
        {
            var users = await db.Customers.AsNoTracking().ToListAsync();
            var expected = users.Where(u => u.CityTier is 2 or 3 && !u.Email.EndsWith("@gmail.com", StringComparison.Ordinal)).Select(u => u.UserId).Order();
            Assert.Equal(expected, await host.MembersAsync((await host.SegmentOfAsync(top.Id)).Id));
            Assert.Equal(2, await db.Jobs.CountAsync(j => j.Kind == RefreshSegmentJob.Kind));
        }

        foreach (var id in new[] { tier1.Id, tier2.Id, union.Id, top.Id })
        {
            Assert.Equal(SegmentStatus.Fresh, (await host.SegmentOfAsync(id)).Status);
        }
    }

    [Fact]
    public async Task StalePayload_RefreshesEveryStaleOrNeverRunSegmentInOrder()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true);
        var tier1 = await host.SaveRuleAsync(Tier("Tier 1", "1"));
        var tier2 = await host.SaveRuleAsync(Tier("Tier 2", "2"));
        var union = await host.SaveRuleAsync(Draft("Tier 1 or 2", And("root")) with { Schedule = null, DependsOn = [tier2.Id, tier1.Id], Operation = SetOperation.Union });
        Assert.Equal([tier1.Id, tier2.Id, union.Id], await host.Get<SegmentRefresher>().StaleRulesAsync());

        var job = await host.Get<JobQueue>().EnqueueStaleRefreshAsync(CoreHost.Admin);

        var done = await FinishedAsync(host, job);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        Assert.Equal((3, 3), (done.ProgressDone, done.ProgressTotal));
        Assert.Empty(await host.Get<SegmentRefresher>().StaleRulesAsync());
        await using var db = await host.DbAsync();
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.Kind == RefreshSegmentJob.Kind));
        Assert.Equal(3, await db.SegmentRefreshes.CountAsync(r => r.JobId == job.Id && r.Succeeded));
    }

    [Fact]
    public async Task FailedRefresh_FailsTheJobWithTheError()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true, settings: new Dictionary<string, string?> { ["Jobs:MaxAttempts"] = "1" });
        var rule = await host.SaveRuleAsync(Tier("Tier 1", "1"));
        await using (var db = await host.DbAsync())
        {
            await FailureTriggers.CreateAsync(db, "fail_members", "segment_members", "disk on fire");
        }

        var job = await host.Get<JobQueue>().EnqueueRefreshAsync(rule.Id, rule.Name, CoreHost.Marketer);

        var done = await FinishedAsync(host, job);
        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("Tier 1: ", done.Error, StringComparison.Ordinal);
        Assert.Contains("disk on fire", done.Error, StringComparison.Ordinal);
        Assert.Equal(SegmentStatus.Failed, (await host.SegmentOfAsync(rule.Id)).Status);
    }

    [Fact]
    public async Task Trigger_AsViewer_IsRefused()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<JobQueue>().EnqueueRefreshAsync(1, "x", CoreHost.Viewer));
    }
}
