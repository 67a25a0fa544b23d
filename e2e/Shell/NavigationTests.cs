using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Shell;

[Collection(PortalCollection.Name)]
public sealed class NavigationTests(PortalFixture portal)
{
    public static TheoryData<string, string> Sections => new()
    {
        { "Dashboard", "/" },
        { "Audiences", "/audiences" },
        { "Rules", "/rules" },
        { "Segments", "/segments" },
        { "Lineage", "/lineage" },
        { "Connectors", "/connectors" },
        { "Uploads", "/uploads" },
        { "Jobs", "/jobs" },
        { "Admin", "/admin" },
    };

    [Fact]
    public async Task Navigation_EveryItem_OpensItsPage()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/jobs");
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Sections" });
        foreach (var (title, path) in Sections.Select(row => ((string)row[0], (string)row[1])))
        {
            await nav.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true, Level = 1 })).ToBeVisibleAsync();
        }
    }

    [Fact]
    public async Task Dashboard_AfterSignIn_ShowsDemoDataTotals()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        // The fixture loads 3,000 customers and 60,000 transactions (and the demo imports a few more); the recompute jobs fill the totals in.
        await Expect(page.GetByLabel("Customers", new() { Exact = true })).ToHaveTextAsync(PortalFixture.DemoCustomers);
        await Expect(page.GetByLabel("Transactions", new() { Exact = true })).ToHaveTextAsync(PortalFixture.DemoTransactions);
        await Expect(page.GetByLabel("Total spend", new() { Exact = true })).ToHaveTextAsync(new Regex("^₹[1-9][0-9,]+$"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "dashboard.png") });
    }

    [Fact]
    public async Task ThemeSwitch_Clicked_TurnsDarkAndSticksAfterReload()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "dashboard-dark.png") });
    }

    [Fact]
    public async Task Shortcut_AltNumber_NavigatesToThatSection()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await page.Keyboard.PressAsync("Alt+8");
        await Expect(page).ToHaveURLAsync(new Regex("/jobs$"));
        // After a navigation the page's heading takes the focus (for screen readers); Ctrl+K is pressed once it has.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Control+k");
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Search pages" })).ToBeFocusedAsync();
    }
}
