using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Rules;

[Collection(PortalCollection.Name)]
public sealed class RuleBuilderTests(PortalFixture portal)
{
    private static async Task<long> EstimateAsync(IPage page)
    {
        var text = await page.GetByLabel("Estimated size", new() { Exact = true }).InnerTextAsync();
        return long.Parse(Regex.Match(text, @"[\d,]+").Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Builder_NestedRuleWith30DaySpend_EstimateSaveTriggerMembersSqlHistory()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/rules");
        await page.GetByRole(AriaRole.Link, new() { Name = "New rule" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New rule" })).ToBeVisibleAsync();
        await page.GetByLabel("Rule name").FillAsync("E2E big spenders");

        // Root AND: city tier 1 (the default attribute), then an OR group holding a 30-day spend.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to Rule conditions" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Customer attribute" }).ClickAsync();
        await Expect(page.GetByLabel("Estimated size", new() { Exact = true })).ToContainTextAsync("users", new() { Timeout = 15_000 });
        var tierOnly = await EstimateAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Add to Rule conditions" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "OR group" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to Group g1" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Spend / transactions" }).ClickAsync();
        await Expect(page.GetByLabel("Condition c2 days")).ToHaveValueAsync("30");

        // The estimate follows the edits: the spend condition narrows the tier-1 customers.
        await page.WaitForFunctionAsync(
            "limit => { const el = document.querySelector('[aria-label=\"Estimated size\"]'); return !!el && parseInt(el.innerText.replace(/[^0-9]/g, ''), 10) < limit; }",
            tierOnly, new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "rule-builder.png") });

        await page.Keyboard.PressAsync("Control+s");
        // Where the demo holds a rule of city tier 1 alone, saving first offers to reuse its segment: keep the rule as built.
        var saved = page.GetByText("Saved E2E big spenders.");
        var offer = page.GetByRole(AriaRole.Dialog, new() { Name = "Reuse an existing segment?" });
        await Expect(saved.Or(offer)).ToBeVisibleAsync();
        if (await offer.IsVisibleAsync())
        {
            await offer.GetByRole(AriaRole.Button, new() { Name = "Save as it is" }).ClickAsync();
        }

        await Expect(saved).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/rules/\d+$"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).ClickAsync();
        await Expect(page.GetByText(new Regex(@"^Queued job \d+: Refresh E2E big spenders$"))).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Open segment" }).ClickAsync();

        await Expect(page.GetByLabel("Segment status fresh")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var rows = await page.GetByLabel("Row count").InnerTextAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Members" }).ClickAsync();
        var sample = page.GetByLabel("Members sample").Locator("tbody tr");
        await Expect(sample.First).ToBeVisibleAsync();
        Assert.InRange(await sample.CountAsync(), 1, 100);
        await page.GetByRole(AriaRole.Tab, new() { Name = "SQL" }).ClickAsync();
        await Expect(page.GetByLabel("Segment SQL")).ToContainTextAsync("INSERT INTO segment_members");
        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "History" })).ToHaveAttributeAsync("aria-selected", "true");
        var history = page.GetByLabel("Refresh history");
        await Expect(history).ToContainTextAsync("ok");
        await Expect(history).ToContainTextAsync(rows.Replace(" users", "", StringComparison.Ordinal));
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "segment-detail.png") });
    }
}
