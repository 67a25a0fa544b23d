using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
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

        await Input(page, "API base URL").ChangeAsync(new ChangeEventArgs { Value = "https://collector.example/" });
        await page.FindAll("button").Single(b => b.TextContent.Contains("Save connection", StringComparison.Ordinal)).ClickAsync(new());

        await page.WaitForAssertionAsync(() =>
        {
            var token = Input(page, "Access token (empty keeps the stored one)").Closest(".mud-input-control")!;
            Assert.Contains("enter the access token again", token.TextContent, StringComparison.Ordinal);
        });
        Assert.Equal("https://api.adtech-a.example/", (await store.GetAsync(AdtechKeys.AdtechA))!.BaseUrl.ToString());
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
        await Input(page, "API base URL").ChangeAsync(new ChangeEventArgs { Value = "https://googleads.googleapis.com/" });
        await page.FindAll("button").Single(b => b.TextContent.Contains("Save connection", StringComparison.Ordinal)).ClickAsync(new());

        await page.WaitForAssertionAsync(() => Assert.Contains("googleAds · Google Ads API (allowlisted accounts)", page.Markup, StringComparison.Ordinal));
        Assert.Equal(GoogleApi.GoogleAds, (await host.Get<AdtechConnectionStore>().GetAsync(AdtechKeys.GoogleAds))!.Api);
    }

    private static IElement Input(IRenderedComponent<Portal.Components.Pages.Connectors.Connectors> page, string label)
    {
        var forId = page.FindAll("label").Single(l => l.TextContent.Trim() == label).GetAttribute("for");
        return page.Find($"input#{forId}");
    }
}
