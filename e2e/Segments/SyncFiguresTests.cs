using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Segments;

/// <summary>The figures of the last sync (outcome, +N / −M, match rate) on the segment page and the Connectors page.</summary>
[Collection(PortalCollection.Name)]
public sealed class SyncFiguresTests(PortalFixture portal)
{
    private const string Audience = "segment_e2e_figures_tier_one";

    [Fact]
    public async Task SegmentExportedToAdtechB_SegmentAndConnectorsPages_ShowTheLastRunAndTheSandboxMatchRate()
    {
        var page = await portal.NewPageAsync();
        await page.NewTierRuleAsync("E2E figures tier one");
        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Open segment" }).ClickAsync();
        await Expect(page.GetByLabel("Segment status fresh")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Export to adtech" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Export to AdtechB" }).ClickAsync();

        // The page reloads its exports when the job ends: the run that created the audience, with the sandbox's match rate.
        var lastSync = page.GetByLabel($"{Audience} AdtechB last sync", new() { Exact = true });
        await Expect(page.GetByLabel($"{Audience} AdtechB last sync outcome")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Expect(lastSync.GetByLabel($"{Audience} AdtechB last sync added / removed")).ToHaveTextAsync(new Regex(@"^\+[1-9][\d,]* \(created\)$"));
        await Expect(lastSync.GetByLabel($"{Audience} AdtechB last sync match rate")).ToHaveTextAsync(new Regex(@"^\d{1,3} % matched$"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "segment-sync-figures.png") });
        await page.ReloadAsync(); // without the snackbars the actions left
        await page.WaitForInteractiveAsync();
        await Expect(lastSync).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);

        await page.GotoAsync("/connectors");
        await page.WaitForInteractiveAsync();
        var syncs = page.GetByRole(AriaRole.Group, new() { Name = "adtechB syncs" });
        await Expect(syncs.GetByLabel("adtechB total added / removed")).ToHaveTextAsync(new Regex(@"^\+[1-9][\d,]* / −\d[\d,]*$"));
        await Expect(syncs.GetByLabel("adtechB total match rate")).ToHaveTextAsync(new Regex(@"^\d{1,3} % matched$"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "connectors-sync-figures.png") });
        await AssertAccessibleAsync(page);
    }

    /// <summary>The page with its figures passes an axe scan without critical or serious violations.</summary>
    private static async Task AssertAccessibleAsync(IPage page)
    {
        var serious = (await page.RunAxe()).Violations.Where(v => v.Impact is "critical" or "serious").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
    }
}
