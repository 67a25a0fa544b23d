using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Rules;

public sealed class RuleServiceTests : DatabaseTest
{
    private async Task<CoreHost> HostAsync() =>
        await CoreHost.StartAsync(Folder);

    [Fact]
    public async Task Save_NewRule_StoresJsonAndMakesANeverRunSegment()
    {
        await using var host = await HostAsync();
        var rule = await host.SaveRuleAsync(Draft("Tier 1"));
        await using var db = await host.DbAsync();
        var segment = await db.Segments.SingleAsync(s => s.RuleId == rule.Id);
        Assert.Equal(("Tier 1", SegmentStatus.NeverRun), (segment.Name, segment.Status));
        Assert.Equal(Draft("Tier 1").Root, RuleService.ToDraft(await db.Rules.SingleAsync()).Root);
        Assert.Contains(db.AuditLog, a => a.Action == "rule.created" && a.Target == $"rule:{rule.Id}");
    }

    [Fact]
    public async Task Save_DuplicateName_IsRefused()
    {
        await using var host = await HostAsync();
        var rules = host.Get<RuleService>();
        await host.SaveRuleAsync(Draft("Tier 1"));
        var result = await rules.SaveAsync(null, Draft("Tier 1"), null, CoreHost.Marketer);
        Assert.Contains(result.Issues, i => i.Field == "name" && i.Message.Contains("already exists", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Save_MakingACycle_IsRefusedAndNamesIt()
    {
        await using var host = await HostAsync();
        var rules = host.Get<RuleService>();
        var a = await host.SaveRuleAsync(Draft("A"));
        var b = await host.SaveRuleAsync(Draft("B") with { DependsOn = [a.Id], Operation = SetOperation.Intersection });
        await using (var db = await host.DbAsync())
        {
            var segmentOfB = await db.Segments.SingleAsync(s => s.RuleId == b.Id);
            var draft = Draft("A", And("root", new SegmentCondition("c1", false, segmentOfB.Id, ConditionOperator.In)));
            var result = await rules.SaveAsync(a.Id, draft, null, CoreHost.Marketer);
            var issue = Assert.Single(result.Issues);
            Assert.Equal("This would make a cycle: A → B → A.", issue.Message);
        }
    }

    [Fact]
    public async Task Save_StaleVersion_IsAConflict()
    {
        await using var host = await HostAsync();
        var rules = host.Get<RuleService>();
        var rule = await host.SaveRuleAsync(Draft("A"));
        await host.SaveRuleAsync(Draft("A") with { Description = "changed" }, rule.Id);
        var result = await rules.SaveAsync(rule.Id, Draft("A") with { Description = "mine" }, rule.Version, CoreHost.Marketer);
        Assert.True(result.Conflict);
    }

    [Fact]
    public async Task Delete_UsedByAnotherRule_IsRefusedAndSaysWhere()
    {
        await using var host = await HostAsync();
        var rules = host.Get<RuleService>();
        var a = await host.SaveRuleAsync(Draft("A"));
        var b = await host.SaveRuleAsync(Draft("B") with { DependsOn = [a.Id], Operation = SetOperation.Intersection });
        var used = await rules.DeleteAsync(a.Id, CoreHost.Marketer);
        Assert.Equal([(b.Id, "B")], used.Rules);
        await using var db = await host.DbAsync();
        Assert.Equal(2, await db.Rules.CountAsync());

        Assert.False((await rules.DeleteAsync(b.Id, CoreHost.Marketer)).IsUsed);
        Assert.False((await rules.DeleteAsync(a.Id, CoreHost.Marketer)).IsUsed);
        Assert.Equal(0, await db.Segments.CountAsync());
    }

    [Fact]
    public async Task Duplicate_Twice_GetsNumberedNames()
    {
        await using var host = await HostAsync();
        var rules = host.Get<RuleService>();
        var a = await host.SaveRuleAsync(Draft("A"));
        Assert.Equal("A (copy)", (await rules.DuplicateAsync(a.Id, CoreHost.Marketer)).Name);
        Assert.Equal("A (copy 2)", (await rules.DuplicateAsync(a.Id, CoreHost.Marketer)).Name);
    }

    [Fact]
    public async Task Save_Viewer_IsRefused()
    {
        await using var host = await HostAsync();
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<RuleService>().SaveAsync(null, Draft("A"), null, CoreHost.Viewer));
    }

    [Fact]
    public async Task Save_WithSchedule_KeepsOneRefreshScheduleInStep()
    {
        await using var host = await HostAsync();
        var schedules = host.Get<JobSchedules>();
        var rule = await host.SaveRuleAsync(Draft("A"));
        var created = Assert.Single(await schedules.ListAsync());
        Assert.Equal(("Refresh A", RefreshSegmentJob.Kind, $"{{\"rule\":{rule.Id}}}", "0 3 * * *"), (created.Name, created.Kind, created.Payload, created.Cron));
        Assert.NotNull(created.NextRunAt);

        await host.SaveRuleAsync(Draft("B") with { Schedule = "*/5 * * * *" }, rule.Id);
        var updated = Assert.Single(await schedules.ListAsync());
        Assert.Equal((created.Id, "Refresh B", "*/5 * * * *"), (updated.Id, updated.Name, updated.Cron));

        await host.SaveRuleAsync(Draft("B") with { Schedule = null }, rule.Id);
        Assert.Empty(await schedules.ListAsync());

        await host.SaveRuleAsync(Draft("B"), rule.Id);
        Assert.Single(await schedules.ListAsync());
        await host.Get<RuleService>().DeleteAsync(rule.Id, CoreHost.Marketer);
        Assert.Empty(await schedules.ListAsync());
    }
}
