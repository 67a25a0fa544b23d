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
        var ruleUrl = await page.NewTierRuleAsync("E2E impact tier one");
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
