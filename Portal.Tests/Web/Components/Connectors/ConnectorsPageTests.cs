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

    private static IElement Input(IRenderedComponent<Portal.Components.Pages.Connectors.Connectors> page, string label)
    {
        var forId = page.FindAll("label").Single(l => l.TextContent.Trim() == label).GetAttribute("for");
        return page.Find($"input#{forId}");
    }
}
