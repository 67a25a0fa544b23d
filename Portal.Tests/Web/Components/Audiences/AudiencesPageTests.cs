using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Tests.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Audiences;

public sealed class AudiencesPageTests : DatabaseTest
{
    [Fact]
    public async Task ExportToOneAdtech_Chosen_QueuesACatalogRunNamingThatAdtech()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await CoreHost.StartAsync(Folder, settings: sandbox.Settings(Path.Combine(Folder.Path, "bucket")));
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("demo"),
            "demo:\n  description: d\n  source: {endpoint: demo/}\n  adtechA:\n    name: A\n    audience_type: TYPE_X\n  adtechB:\n    name: B\n", null);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Services.AddSingleton(host.Get<AudienceQueries>());
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Audiences.Audiences>();

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("button[aria-label='Export demo to one adtech']")));
        await page.InvokeAsync(() => page.Find("button[aria-label='Export demo to one adtech']").ClickAsync(new()));
        var item = popovers.WaitForElement(".mud-menu-item:contains('Export to adtechB')");
        Assert.Contains(popovers.FindAll(".mud-menu-item"), i => i.TextContent.Contains("Export to adtechA", StringComparison.Ordinal));
        await item.ClickAsync(new());

        await using var db = await host.DbAsync();
        var job = await db.Jobs.AsNoTracking().SingleAsync();
        Assert.Equal(("Export demo to adtechB", CatalogRunJob.PayloadFor("demo", "adtechB")), (job.Title, job.Payload));
    }

    [Fact]
    public async Task StatusFilter_InvalidChosen_ShowsOnlyInvalidStateFiles()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("good"), "good:\n  description: d\n  source: {endpoint: demo/}\n  adtechB:\n    name: B\n", null);
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("broken"), "broken:\n  description: d\n  source: {endpoint: demo/}\n  adtechA:\n    name: A\n    audience_type: TYPE_Q\n", null);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Audiences.Audiences>();
        IReadOnlyList<string> Names() => page.FindAll("tbody tr.mud-table-row a").Select(a => a.TextContent.Trim()).ToList();
        await page.WaitForAssertionAsync(() => Assert.Equal(["broken", "good"], Names().Order()));

        await page.Find("div.portal-filter").MouseDownAsync(new());
        var option = popovers.WaitForElement(".mud-list-item:contains('Invalid state file')");
        await option.ClickAsync(new());

        await page.WaitForAssertionAsync(() => Assert.Equal(["broken"], Names()));
    }

    [Fact]
    public async Task Refresh_FilesChangedBehindThePortal_ShowsTheBucketWithTheUnparsableOneInvalid()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        AudienceIndexTests.WriteThreeBehind(bucket, "aud");
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Audiences.Audiences>();
        IReadOnlyList<string> Names() => page.FindAll("tbody tr.mud-table-row a").Select(a => a.TextContent.Trim()).ToList();
        await page.WaitForAssertionAsync(() => Assert.Equal(["aud_a", "aud_b", "aud_c"], Names()));

        AudienceIndexTests.ChangeThreeBehind(bucket, "aud");
        await page.InvokeAsync(() => page.Find("button[aria-label='Refresh audiences']").ClickAsync(new()));

        await page.WaitForAssertionAsync(() =>
        {
            Assert.Equal(["aud_a", "aud_b2", "aud_broken"], Names());
            Assert.Contains("Rewritten", page.Find("tbody tr.mud-table-row").TextContent, StringComparison.Ordinal);
            Assert.Contains("issue(s)", page.Find("[aria-label='aud_broken state file invalid']").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Pager_MoreAudiencesThanAPage_ShowsOnePageAndTheTotal()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        for (var i = 0; i < 30; i++)
        {
            AudienceIndexTests.WriteBehind(bucket, $"aud_{i:00}.yml", AudienceIndexTests.State($"aud_{i:00}"));
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Audiences.Audiences>();
        IReadOnlyList<string> Names() => page.FindAll("tbody tr.mud-table-row a").Select(a => a.TextContent.Trim()).ToList();
        await page.WaitForAssertionAsync(() => Assert.Equal(Enumerable.Range(0, 25).Select(i => $"aud_{i:00}"), Names()));

        await page.InvokeAsync(() => page.Find("button[aria-label='Next page']").ClickAsync(new()));

        await page.WaitForAssertionAsync(() => Assert.Equal(Enumerable.Range(25, 5).Select(i => $"aud_{i:00}"), Names()));
    }
}
