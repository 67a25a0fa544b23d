using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Lineage;

/// <summary>The lineage a newcomer sees on a fresh demo: the data's whole way out, from a table to an adtech.</summary>
[Collection(PortalCollection.Name)]
public sealed class DemoLineageTests(PortalFixture portal)
{
    private const string DemoAudience = "segment_tier_1_travel_spenders";

    [Fact]
    public async Task LineagePage_FreshDemo_ConnectsATableToAnAdtechThroughARuleASegmentAndAnAudience()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await page.GotoAsync("/lineage");
        await page.Locator("[data-testid='lineage-canvas'][data-ready='true']").WaitForAsync(new() { Timeout = 60_000 });

        // The demo's segment-fed audience: its path upstream and downstream lights up.
        await page.GetByLabel("Search nodes").FillAsync(DemoAudience);
        await page.GetByRole(AriaRole.List, new() { Name = "Search results" }).GetByRole(AriaRole.Listitem)
            .Filter(new() { HasText = $"Audience: {DemoAudience}" }).ClickAsync();
        var panel = page.GetByRole(AriaRole.Region, new() { Name = "Node details" });
        await Expect(panel.GetByRole(AriaRole.Heading, new() { Name = DemoAudience })).ToBeVisibleAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "Highlight path" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Fit" }).ClickAsync();

        var highlighted = new Regex("mark-Highlighted");
        foreach (var id in new[] { "table:users", "table:credit_card_transactions", $"audience:{DemoAudience}", "adtech:adtechA", "adtech:adtechB" })
        {
            await Expect(page.Locator($"[data-lineage-id='{id}']")).ToHaveClassAsync(highlighted);
        }

        // Between them: the rules that read the tables and the segments they make, by name; the segments refreshed.
        foreach (var (kind, name) in new[] { ("rule", "Tier 1 city customers"), ("segment", "Tier 1 city customers"), ("segment", "Tier 1 travel spenders"), ("rule", "Travel spenders, last 90 days") })
        {
            var node = page.Locator($"[data-lineage-id^='{kind}:']").Filter(new() { HasText = name }).First;
            await Expect(node).ToHaveClassAsync(highlighted);
            if (kind == "segment")
            {
                await Expect(node).ToContainTextAsync("Segment · fresh");
            }
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "lineage-demo-path.png") });
    }
}
