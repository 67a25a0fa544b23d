using Bunit;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Segments;
using Portal.Tests.Core.Segments;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Segments;

public sealed class RefreshHistoryGridTests : DatabaseTest
{
    [Fact]
    public async Task Pager_MoreRefreshesThanAPage_ShowsTenNewestFirstThenTheRest()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var segment = await SegmentAudiencesTests.SegmentAsync(host, "Tier one", 0);
        await using (var db = await host.DbAsync())
        {
            db.SegmentRefreshes.AddRange(Enumerable.Range(1, 23).Select(i => new SegmentRefresh
            {
                SegmentId = segment.Id, StartedAt = DemoDates.End.AddHours(i), FinishedAt = DemoDates.End.AddHours(i).AddSeconds(1), Succeeded = true, RowCount = i,
            }));
            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Render<MudPopoverProvider>();
        var grid = ctx.Render<Portal.Components.Pages.Segments.RefreshHistoryGrid>(p => p.Add(x => x.SegmentId, segment.Id));
        IReadOnlyList<string> Rows() => grid.FindAll("tbody tr.mud-table-row td:nth-child(3)").Select(td => td.TextContent.Trim()).ToList();
        await grid.WaitForAssertionAsync(() => Assert.Equal(Enumerable.Range(14, 10).Reverse().Select(i => i.ToString()), Rows()));

        await grid.InvokeAsync(() => grid.Find("button[aria-label='Last page']").ClickAsync(new()));

        await grid.WaitForAssertionAsync(() => Assert.Equal(["3", "2", "1"], Rows()));
    }
}
