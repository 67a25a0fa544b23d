using Bunit;
using Portal.Components.Pages.Audiences;
using Portal.Core.Accounts;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Audiences;

/// <summary>The audience's Runs tab: a sync shows the members it added and removed.</summary>
public sealed class ExportRunsGridTests : DatabaseTest
{
    [Fact]
    public async Task Grid_SyncRuns_ShowAddedAndRemovedOrNoChange()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using (var db = await host.DbAsync())
        {
            db.ExportRuns.AddRange(
                Run(1, null, null, null),
                Run(2, "Synced", 1_204, 87),
                Run(3, "NoChange", 0, 0));
            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var grid = ctx.Render<ExportRunsGrid>(p => p.Add(x => x.Audience, "demo_audience"));

        await grid.WaitForAssertionAsync(() =>
        {
            var rows = grid.FindAll("tbody tr").Select(r => r.TextContent).ToList();
            Assert.Equal(3, rows.Count);
            Assert.Contains("no change", rows[0], StringComparison.Ordinal);
            Assert.Contains($"+{1_204:N0} / −87", rows[1], StringComparison.Ordinal);
            Assert.DoesNotContain(" / −", rows[2], StringComparison.Ordinal);
            // Seen without scrolling in the audience's side panel: the outcome right after the result.
            var headers = grid.FindAll("thead th").Select(h => h.TextContent.Trim()).ToList();
            Assert.Equal(headers.IndexOf("Result") + 1, headers.FindIndex(h => h.StartsWith("Added / removed", StringComparison.Ordinal)));
        });
    }

    [Fact]
    public async Task Grid_ReportedRuns_ShowMatchedOfTheMembersAsARateOrRange()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using (var db = await host.DbAsync())
        {
            var exact = Run(1, "Synced", 5, 1);
            (exact.Members, exact.MatchedLow, exact.MatchedHigh, exact.ReportedReceived) = (40, 30, 30, 36);
            var range = Run(2, "NoChange", 0, 0);
            (range.Members, range.MatchedLow, range.MatchedHigh) = (200, 95, 105);
            db.ExportRuns.AddRange(exact, range, Run(3, "NoChange", 0, 0));
            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var grid = ctx.Render<ExportRunsGrid>(p => p.Add(x => x.Audience, "demo_audience"));

        await grid.WaitForAssertionAsync(() =>
        {
            Assert.Equal("75 %", grid.Find("[aria-label='Run 1 match rate']").TextContent);
            Assert.Contains("30 matched of 40 members (invalid ones included), 36 received", grid.Find("[aria-label='Run 1 match rate']").GetAttribute("title"), StringComparison.Ordinal);
            Assert.Equal("48–53 %", grid.Find("[aria-label='Run 2 match rate']").TextContent);
            Assert.Empty(grid.FindAll("[aria-label='Run 3 match rate']"));
            Assert.Equal("+5 / −1", grid.Find("[aria-label='Run 1 added / removed']").TextContent);
        });
    }

    private static ExportRun Run(long id, string? outcome, long? added, long? removed) => new()
    {
        Id = id,
        Audience = "demo_audience",
        AdtechKey = AdtechKeys.AdtechB,
        ExportKey = $"k{id}",
        StartedUtc = DemoDates.End.AddMinutes(id),
        Status = ExportRunStatus.Succeeded,
        SyncOutcome = outcome,
        Added = added,
        Removed = removed,
        AdtechAudienceId = "b-1",
    };
}
