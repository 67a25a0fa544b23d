using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Tests.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Connectors;

public sealed class ConnectorsPageTests : DatabaseTest
{
    [Fact]
    public async Task SaveConnection_NewBaseUrlWithoutTheToken_ShowsWhyUnderTheTokenAndKeepsTheConnection()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var store = host.Get<AdtechConnectionStore>();
        await store.SaveAsync(AdtechKeys.AdtechA, "https://api.adtech-a.example/", "42", "stored-token", CoreHost.Admin);
        await using var ctx = ComponentContext.Create(host, "admin@tests.local", Roles.Admin);
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Connectors.Connectors>();
        await page.WaitForAssertionAsync(() => Assert.Contains("https://api.adtech-a.example/", page.Markup, StringComparison.Ordinal));

        await ChangeAndSaveAsync(page, "https://collector.example/");

        await page.WaitForAssertionAsync(() =>
        {
            var token = Input(page, "Access token (empty keeps the stored one)").Closest(".mud-input-control")!;
            Assert.Contains("enter the access token again", token.TextContent, StringComparison.Ordinal);
        });
        Assert.Equal("https://api.adtech-a.example/", (await store.GetAsync(AdtechKeys.AdtechA))!.BaseUrl.ToString());
    }

    [Fact]
    public async Task Syncs_RunsOfTwoAudiences_ShowTheLastSyncAndTotalsOverTheLatestRunOfEach()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using (var db = await host.DbAsync())
        {
            db.ExportRuns.AddRange(
                Segments.SegmentDetailPageTests.Run(1, AdtechKeys.AdtechB, "Synced", 500, 500, ExportRunStatus.Succeeded, audience: "a"),
                Segments.SegmentDetailPageTests.Run(2, AdtechKeys.AdtechB, "Synced", 10, 3, ExportRunStatus.Succeeded, members: 100, matched: 60, audience: "a"),
                Segments.SegmentDetailPageTests.Run(3, AdtechKeys.AdtechB, "Synced", 1_200, 7, ExportRunStatus.Succeeded, members: 300, matched: 90, audience: "b"),
                Segments.SegmentDetailPageTests.Run(4, AdtechKeys.AdtechA, "NoChange", 0, 0, ExportRunStatus.Succeeded, audience: "a"),
                Segments.SegmentDetailPageTests.Run(5, AdtechKeys.AdtechA, null, 40, 0, ExportRunStatus.Succeeded, audience: "c"));
            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Connectors.Connectors>();

        await page.WaitForAssertionAsync(() =>
        {
            var b = page.Find("[aria-label='adtechB syncs']");
            Assert.Equal("Synced", b.QuerySelector("[aria-label='adtechB last sync outcome']")!.TextContent.Trim());
            Assert.Equal($"+{1_200:N0} / −7", b.QuerySelector("[aria-label='adtechB last sync added / removed']")!.TextContent);
            Assert.Contains("of b", b.TextContent, StringComparison.Ordinal);
            Assert.Contains("Over 2 audiences", b.TextContent, StringComparison.Ordinal);
            Assert.Equal($"+{1_210:N0} / −10", b.QuerySelector("[aria-label='adtechB total added / removed']")!.TextContent);
            Assert.Equal("38 % matched", b.QuerySelector("[aria-label='adtechB total match rate']")!.TextContent);
            Assert.Equal("+40 (created)", page.Find("[aria-label='adtechA last sync added / removed']").TextContent);
            Assert.Equal("+40 / −0", page.Find("[aria-label='adtechA total added / removed']").TextContent);
            Assert.Contains("no runs yet", page.FindAll("tr").Single(r => r.TextContent.StartsWith("meta", StringComparison.Ordinal)).TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task SaveConnection_GoogleWithTheGoogleAdsApiChosen_StoresTheChoiceAndListsIt()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "admin@tests.local", Roles.Admin);
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Connectors.Connectors>();
        MudSelect<string> Select(string label) => page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == label).Instance;
        await page.InvokeAsync(() => Select("Adtech").ValueChanged.InvokeAsync(AdtechKeys.GoogleAds));
        await page.WaitForAssertionAsync(() => Assert.Contains(page.FindAll("label"), l => l.TextContent.Trim() == "Google API"));

        await page.InvokeAsync(() => Select("Google API").ValueChanged.InvokeAsync(GoogleApi.GoogleAds));
        await ChangeAndSaveAsync(page, "https://googleads.googleapis.com/");

        await page.WaitForAssertionAsync(() => Assert.Contains("googleAds · Google Ads API (allowlisted accounts)", page.Markup, StringComparison.Ordinal));
        Assert.Equal(GoogleApi.GoogleAds, (await host.Get<AdtechConnectionStore>().GetAsync(AdtechKeys.GoogleAds))!.Api);
    }

    /// <summary>
    /// Types the base URL and clicks Save, each found and fired on the renderer's dispatcher: the page's own loads (the
    /// connections' health) re-render it, which between a find and its event would leave a handler that is gone.
    /// </summary>
    private static async Task ChangeAndSaveAsync(IRenderedComponent<Portal.Components.Pages.Connectors.Connectors> page, string baseUrl)
    {
        await page.InvokeAsync(() => Input(page, "API base URL").ChangeAsync(new ChangeEventArgs { Value = baseUrl }));
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Contains("Save connection", StringComparison.Ordinal)).ClickAsync(new()));
    }

    private static IElement Input(IRenderedComponent<Portal.Components.Pages.Connectors.Connectors> page, string label)
    {
        var forId = page.FindAll("label").Single(l => l.TextContent.Trim() == label).GetAttribute("for");
        return page.Find($"input#{forId}");
    }

    [Fact]
    public async Task StatusMatrix_ThirtyAudiences_PagesOnTheServerFiltersByAdtechAndStatusAndCountsEachStatus()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        for (var i = 0; i < 30; i++)
        {
            // The first 20: adtechA not fetched, adtechB posted; the last 10: adtechB alone, not fetched.
            var name = $"aud_{i:00}";
            AudienceIndexTests.WriteBehind(bucket, name + ".yml", i < 20 ? AudienceIndexTests.State(name)
                : $"{name}:\n  description: d\n  source:\n    segment: Big spenders\n  adtechB:\n    name: B\n");
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Connectors.Connectors>();
        var matrix = "[aria-label='Status by audience and adtech']";
        IReadOnlyList<string> Names() => page.FindAll($"{matrix} tbody tr.mud-table-row td:first-child").Select(td => td.TextContent.Trim()).ToList();
        string Count(string status) => page.FindAll("[aria-label='Adtech statuses'] .mud-chip").Single(c => c.GetAttribute("aria-label")!.StartsWith(status + ":", StringComparison.Ordinal)).GetAttribute("aria-label")!;
        await page.WaitForAssertionAsync(() =>
        {
            Assert.Equal(Enumerable.Range(0, 25).Select(i => $"aud_{i:00}"), Names());
            Assert.Equal(("POSTED: 20", "NOT_POSTED: 0", "NOT_FETCHED: 30"), (Count("POSTED"), Count("NOT_POSTED"), Count("NOT_FETCHED")));
        });

        await page.InvokeAsync(() => page.Find($"{matrix} button[aria-label='Next page']").ClickAsync(new()));
        await page.WaitForAssertionAsync(() => Assert.Equal(Enumerable.Range(25, 5).Select(i => $"aud_{i:00}"), Names()));

        MudSelect<string> Select(string label) => page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == label).Instance;
        await page.InvokeAsync(() => Select("Show adtech").ValueChanged.InvokeAsync(AdtechKeys.AdtechB));
        await page.InvokeAsync(() => Select("Show status").ValueChanged.InvokeAsync("NOT_FETCHED"));

        await page.WaitForAssertionAsync(() =>
        {
            Assert.Equal(Enumerable.Range(20, 10).Select(i => $"aud_{i:00}"), Names());
            Assert.Equal(("POSTED: 20", "NOT_FETCHED: 10"), (Count("POSTED"), Count("NOT_FETCHED")));
        });
    }
}
