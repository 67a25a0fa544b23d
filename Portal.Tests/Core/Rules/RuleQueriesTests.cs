using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Rules;

public sealed class RuleQueriesTests : DatabaseTest
{
    [Fact]
    public async Task List_SearchText_MatchesNameOrDescriptionInAnyCase()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        await RuleHost.SaveAsync(host, Draft("Travel spenders") with { Description = "Big on trips" });
        await RuleHost.SaveAsync(host, Draft("Tier 1") with { Description = "Metro TRAVELLERS too" });
        await RuleHost.SaveAsync(host, Draft("Gmail users") with { Description = null });

        var (items, total) = await host.Get<RuleQueries>().ListAsync("travel", RuleQueries.ByName, 0, 10);

        Assert.Equal(2, total);
        Assert.Equal(["Tier 1", "Travel spenders"], items.Select(i => i.Rule.Name));
    }

    [Fact]
    public async Task List_SecondPage_ReturnsTheRestAndTheTotal()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        foreach (var name in new[] { "E", "B", "D", "A", "C" })
        {
            await RuleHost.SaveAsync(host, Draft(name));
        }

        var queries = host.Get<RuleQueries>();
        var (first, total) = await queries.ListAsync(null, RuleQueries.ByName, 0, 2);
        var (third, _) = await queries.ListAsync(null, RuleQueries.ByName, 2, 2);
        var (descending, _) = await queries.ListAsync(null, new GridSort<RuleSortField>(RuleSortField.Name, true), 0, 2);

        Assert.Equal(5, total);
        Assert.Equal(["A", "B"], first.Select(i => i.Rule.Name));
        Assert.Equal(["E"], third.Select(i => i.Rule.Name));
        Assert.Equal(["E", "D"], descending.Select(i => i.Rule.Name));
    }

    [Fact]
    public async Task List_RefreshedSegment_ShowsLastResultAndNextRun()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (refreshed, segment) = await RuleHost.SaveAsync(host, Draft("Refreshed"));
        var (never, _) = await RuleHost.SaveAsync(host, Draft("Never") with { Schedule = null });
        await SegmentData.AddCustomersAsync(host.Services, [1, 2, 3]);
        var at = new DateTime(2025, 6, 1, 3, 0, 0, DateTimeKind.Utc);
        await SegmentData.SetMembersAsync(host.Services, segment, [1, 3], at);

        var (items, _) = await host.Get<RuleQueries>().ListAsync(null, new GridSort<RuleSortField>(RuleSortField.RowCount, true), 0, 10);

        var first = items[0];
        Assert.Equal((refreshed.Id, "0 3 * * *"), (first.Rule.Id, first.Rule.Schedule));
        Assert.Equal(new RuleLastResult(segment, SegmentStatus.Fresh, 2, at, null), first.LastResult);
        Assert.NotNull(first.NextRun);
        Assert.Equal((3, 0), (first.NextRun.Value.Hour, first.NextRun.Value.Minute));
        Assert.True(first.NextRun > DateTime.UtcNow && first.NextRun <= DateTime.UtcNow.AddDays(1));
        var second = items[1];
        Assert.Equal(never.Id, second.Rule.Id);
        Assert.Null(second.NextRun);
        Assert.Equal(SegmentStatus.NeverRun, second.LastResult!.Status);
    }

    [Fact]
    public async Task List_FailedRefresh_ShowsTheError()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (rule, _) = await RuleHost.SaveAsync(host, Draft("Failing"));
        await using (var db = await host.DbAsync())
        {
            await db.Segments.Where(s => s.RuleId == rule.Id).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SegmentStatus.Failed)
                .SetProperty(x => x.LastError, "no such column: foo"));
        }

        var (items, _) = await host.Get<RuleQueries>().ListAsync(null, new GridSort<RuleSortField>(RuleSortField.Status, false), 0, 10);

        Assert.Equal((SegmentStatus.Failed, "no such column: foo"), (items[0].LastResult!.Status, items[0].LastResult!.LastError));
    }

    [Fact]
    public async Task Get_UnknownId_IsNull()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        Assert.Null(await host.Get<RuleQueries>().GetAsync(404));
    }

    [Fact]
    public async Task Get_SavedRule_HasItsSegmentAndNextRun()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (rule, segment) = await RuleHost.SaveAsync(host, Draft("One"));

        var detail = await host.Get<RuleQueries>().GetAsync(rule.Id);

        Assert.NotNull(detail);
        Assert.Equal("One", detail.Rule.Name);
        Assert.Equal(segment, detail.LastResult!.SegmentId);
        Assert.NotNull(detail.NextRun);
    }

    [Theory]
    [InlineData("0 3 * * *", "2025-01-01T05:00:00Z", "2025-01-02T03:00:00Z")]
    [InlineData("@daily", "2025-01-01T05:00:00Z", "2025-01-02T00:00:00Z")]
    [InlineData("*/15 * * * *", "2025-01-01T05:01:00Z", "2025-01-01T05:15:00Z")]
    public void NextRun_Cron_IsTheNextOccurrenceInUtc(string cron, string now, string expected)
    {
        var next = RuleQueries.NextRun(cron, DateTime.Parse(now, null, System.Globalization.DateTimeStyles.AdjustToUniversal));
        Assert.Equal(DateTime.Parse(expected, null, System.Globalization.DateTimeStyles.AdjustToUniversal), next);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not cron")]
    public void NextRun_NoUsableSchedule_IsNull(string? cron) => Assert.Null(RuleQueries.NextRun(cron, DateTime.UtcNow));
}
