using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Rules;

[Collection(PortalCollection.Name)]
public sealed class ImpactPreviewTests(PortalFixture portal)
{
    [Fact]
    public async Task Editor_RuleFeedingAnExportedAudience_ShowsWhatAnEditWouldAddAndRemove()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/rules/new");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New rule" })).ToBeVisibleAsync();
        await page.GetByLabel("Rule name").FillAsync("E2E impact tier one");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to Rule conditions" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Customer attribute" }).ClickAsync();
        await Expect(page.GetByLabel("Condition c1 value")).ToHaveValueAsync("1");
        await page.Keyboard.PressAsync("Control+s");
        await Expect(page.GetByText("Saved E2E impact tier one.")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/rules/\d+$"));
        var ruleUrl = page.Url;
        var impact = page.GetByRole(AriaRole.Region, new() { Name = "Impact on audiences" });
        await Expect(impact).ToContainTextAsync("This rule's segment feeds no audience.", new() { Timeout = 15_000 });

        // Refresh the segment and export it to AdtechB, then wait until AdtechB holds the audience.
        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Open segment" }).ClickAsync();
        await Expect(page.GetByLabel("Segment status fresh")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Export to adtech" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Export to AdtechB" }).ClickAsync();
        await page.GotoAsync("/audiences");
        await Expect(page.GetByLabel("segment_e2e_impact_tier_one adtechB POSTED")).ToBeVisibleAsync(new() { Timeout = 60_000 });

        // Unchanged, the rule would change nothing; tier 2 instead of 1 adds the tier-2 customers and removes the tier-1 ones.
        await page.GotoAsync(ruleUrl);
        var row = page.GetByRole(AriaRole.Row, new() { Name = "segment_e2e_impact_tier_one at AdtechB" });
        await Expect(row.GetByLabel("Added")).ToHaveTextAsync("+0", new() { Timeout = 15_000 });
        await Expect(row.GetByLabel("Removed")).ToHaveTextAsync("−0");
        await page.GetByLabel("Condition c1 value").FillAsync("2");
        await page.GetByLabel("Condition c1 value").PressAsync("Tab");
        await Expect(row.GetByLabel("Added")).ToHaveTextAsync(new Regex(@"^\+[1-9][\d,]*$"), new() { Timeout = 15_000 });
        await Expect(row.GetByLabel("Removed")).ToHaveTextAsync(new Regex(@"^−[1-9][\d,]*$"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "rule-impact.png") });
    }
}
