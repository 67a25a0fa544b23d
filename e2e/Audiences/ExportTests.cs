using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Audiences;

[Collection(PortalCollection.Name)]
public sealed class ExportTests(PortalFixture portal)
{
    [Fact]
    public async Task ExportAllPending_DemoAudiences_TurnPostedInTheGrid()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/audiences");
        var demoRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "A demo audience from a filtered demo data source." });
        await Expect(demoRow).ToBeVisibleAsync();
        var chip = page.GetByLabel("demo_audience adtechA POSTED");
        if (await chip.CountAsync() == 0)
        {
            await Expect(page.GetByLabel("demo_audience adtechA NOT_FETCHED")).ToBeVisibleAsync();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Export all pending" }).ClickAsync();
        await Expect(page.GetByText(new System.Text.RegularExpressions.Regex("^Queued job \\d+: Export all pending audiences$"))).ToBeVisibleAsync();

        // The grid refreshes by itself when the job finishes: every demo audience's adtechs are POSTED, with members.
        await Expect(chip).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.GetByLabel("frequent_travellers adtechB POSTED")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("tier1_grocery_shoppers adtechB POSTED")).ToBeVisibleAsync();
        await Expect(demoRow).ToContainTextAsync("1,000");

        await page.GetByRole(AriaRole.Button, new() { Name = "Show state of demo_audience" }).ClickAsync();
        var yaml = page.GetByLabel("YAML state");
        await Expect(yaml).ToContainTextAsync("last_response:");
        await Expect(yaml).ToContainTextAsync("id: 'A");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "audiences.png") });
    }
}
