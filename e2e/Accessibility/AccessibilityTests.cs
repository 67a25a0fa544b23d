using Microsoft.Playwright;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

namespace Portal.E2E.Accessibility;

[Collection(PortalCollection.Name)]
public sealed class AccessibilityTests(PortalFixture portal)
{
    [Fact]
    public async Task SignInPage_AxeScan_NoCriticalOrSeriousViolations()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/account/login");
        AssertNoSeriousViolations(await page.RunAxe());
    }

    [Fact]
    public async Task Dashboard_AxeScan_NoCriticalOrSeriousViolations()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await page.GetByLabel("Customers", new() { Exact = true }).WaitForAsync();
        AssertNoSeriousViolations(await page.RunAxe());
    }

    [Theory]
    [InlineData("/audiences", "Filter audiences")]
    [InlineData("/rules/new", "Rule name")]
    [InlineData("/segments", "Filter segments")]
    [InlineData("/connectors", "Connections")]
    [InlineData("/audiences/demo_audience", "Audience form")]
    [InlineData("/uploads", "Upload a file")]
    public async Task FeaturePage_AxeScan_NoCriticalOrSeriousViolations(string path, string label)
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, path);
        await page.GetByLabel(label).First.WaitForAsync();
        await WaitForCodeEditorsAsync(page);
        AssertNoSeriousViolations(await page.RunAxe());
    }

    [Fact]
    public async Task LineagePage_AxeScanWithTheGraphAndDetailsOpen_NoCriticalOrSeriousViolations()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/lineage");
        await page.Locator("[data-testid='lineage-canvas'][data-ready='true']").WaitForAsync(new() { Timeout = 60_000 });
        await page.Locator(".lineage-node").First.ClickAsync();
        await page.GetByRole(AriaRole.Region, new() { Name = "Node details" }).WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show as a list" }).ClickAsync();
        await page.GetByRole(AriaRole.Region, new() { Name = "Shown nodes as a list" }).WaitForAsync();
        AssertNoSeriousViolations(await page.RunAxe());
    }

    /// <summary>
    /// A code editor first shows a placeholder while Monaco loads; scanning then would miss what the user sees,
    /// so the scan waits until every editor has become Monaco (with its lines drawn) or its plain fallback.
    /// </summary>
    private static Task WaitForCodeEditorsAsync(IPage page) =>
        page.WaitForFunctionAsync("""
            () => [...document.querySelectorAll('.portal-code-editor')].every(e =>
                e.dataset.editorMode === 'plain' ||
                (e.dataset.editorMode === 'monaco' && e.querySelector('.view-line') !== null))
            """);

    private static void AssertNoSeriousViolations(AxeResult result)
    {
        var serious = result.Violations.Where(v => v.Impact is "critical" or "serious").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
    }
}
