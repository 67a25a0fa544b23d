using Bunit;
using MudBlazor;
using Portal.Components.Pages.Jobs;
using Portal.Core.Accounts;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Jobs;

public sealed class SchedulesPanelTests : DatabaseTest
{
    [Fact]
    public async Task JobPicker_ForAnOperator_OffersOnlyTheKindsPeopleMayStart()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var panel = ctx.Render<SchedulesPanel>();

        await panel.FindAll("div.mud-select *").First(e => e.HasAttribute("blazor:onmousedown")).MouseDownAsync(new());
        popovers.WaitForElement(".mud-list-item");

        var offered = popovers.FindAll(".mud-list-item").Select(i => i.TextContent.Trim()).Order(StringComparer.Ordinal);
        Assert.Equal(host.Get<JobQueue>().StartableKinds.Select(k => k.DisplayName).Order(StringComparer.Ordinal), offered);
        Assert.DoesNotContain(Portal.Core.Uploads.DatasetImportJob.DisplayName, popovers.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CronField_EverySecond_ShowsWhyAtOnce()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var panel = ctx.Render<SchedulesPanel>();

        await panel.FindAll("input").Single(i => i.GetAttribute("value") == "0 2 * * *").InputAsync(new() { Value = "* * * * * *" });

        panel.WaitForAssertion(() => Assert.Contains("runs as often as every second; a schedule may run at most once every minute", panel.Markup, StringComparison.Ordinal));
    }
}
