using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Audiences;

[Collection(PortalCollection.Name)]
public sealed class SyncTests(PortalFixture portal)
{
    private const string Audience = "segment_e2e_sync_tier_one";

    [Fact]
    public async Task SegmentRefresh_ExportedAudience_SyncsIntoTheSameIdAndTheRunsTabShowsTheCounts()
    {
        var page = await portal.NewPageAsync();
        var ruleUrl = await page.NewTierRuleAsync("E2E sync tier one");

        // Refresh the segment and export it to AdtechB: the first export creates the audience there.
        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Open segment" }).ClickAsync();
        await Expect(page.GetByLabel("Segment status fresh")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Export to adtech" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Export to AdtechB" }).ClickAsync();
        await page.GotoAsync("/audiences");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByLabel($"{Audience} adtechB POSTED")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var id = await AdtechIdAsync(page);

        // Tier 2 instead of 1, saved and refreshed: the sync runs by itself, adding the tier-2 customers and removing the tier-1 ones.
        await page.GotoAsync(ruleUrl);
        await page.WaitForInteractiveAsync();
        var impact = page.GetByRole(AriaRole.Row, new() { Name = $"{Audience} at AdtechB" });
        await Expect(impact.GetByLabel("Removed")).ToHaveTextAsync("−0", new() { Timeout = 15_000 });
        await page.GetByLabel("Condition c1 value").FillAsync("2");
        await page.GetByLabel("Condition c1 value").PressAsync("Tab");
        await Expect(impact.GetByLabel("Removed")).ToHaveTextAsync(new Regex(@"^−[1-9][\d,]*$"), new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved E2E sync tier one.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Trigger" })).ToBeEnabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).ClickAsync();

        var runs = await RunsAsync(page);
        await Expect(runs).ToContainTextAsync(new Regex(@"\+[1-9][\d,]* / −[1-9][\d,]*"), new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "audience-sync-runs.png") });
        await page.GotoAsync("/audiences");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByLabel($"{Audience} adtechB POSTED")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(id, await AdtechIdAsync(page));

        // Refreshed again with the same rule: the sync has nothing to send.
        await page.GotoAsync(ruleUrl);
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByLabel("Condition c1 value")).ToHaveValueAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).ClickAsync();
        await Expect(page.GetByText(new Regex(@"^Queued job \d+: "))).ToBeVisibleAsync();
        runs = await RunsAsync(page);
        await Expect(runs).ToContainTextAsync("no change", new() { Timeout = 60_000 });
    }

    /// <summary>The audience's AdtechB id, from its state on the audiences page.</summary>
    private static async Task<string> AdtechIdAsync(IPage page)
    {
        // No job running: the grid reloads when one ends, which would close the state panel.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "0 running · 0 queued" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show state of {Audience}" }).ClickAsync();
        var yaml = page.GetByLabel("YAML state");
        await Expect(yaml).ToContainTextAsync("id: '");
        var id = Regex.Match(await yaml.InnerTextAsync(), @"\bid: '([^']+)'").Groups[1].Value;
        await page.Keyboard.PressAsync("Escape");
        return id;
    }

    private static async Task<ILocator> RunsAsync(IPage page)
    {
        await page.GotoAsync($"/audiences/{Audience}");
        await page.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Runs" }).ClickAsync();
        return page.GetByLabel($"Export runs of {Audience}");
    }
}
