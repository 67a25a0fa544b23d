using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Lineage;

[Collection(PortalCollection.Name)]
public sealed class LineageTests(PortalFixture portal, ITestOutputHelper output)
{
    private const string Canvas = "[data-testid='lineage-canvas']";

    /// <summary>A rule of our own through the REST API, refreshed, so its segment has a row count. Returns the segment's id and rows.</summary>
    private static async Task<(long Id, long Rows)> CreateRefreshedSegmentAsync(IPage page, string name)
    {
        var created = await page.APIRequest.PostAsync("/api/rules", new()
        {
            Headers = PortalFixture.ApiHeaders,
            DataObject = new Dictionary<string, object>
            {
                ["rule_name"] = name,
                ["conditions"] = new[] { new Dictionary<string, object> { ["field"] = "total_spend", ["operator"] = ">", ["value"] = 100 } },
            },
        });
        Assert.Equal(201, created.Status);
        var ruleId = (await created.JsonAsync())!.Value.GetProperty("rule_id").GetInt64();
        var triggered = await page.APIRequest.PostAsync($"/api/rules/{ruleId}/trigger", new() { Headers = PortalFixture.ApiHeaders });
        Assert.Equal(202, triggered.Status);

        var list = await page.APIRequest.GetAsync($"/api/segments?search={Uri.EscapeDataString(name)}");
        var segmentId = (await list.JsonAsync())!.Value.GetProperty("items")[0].GetProperty("id").GetInt64();
        await page.GotoAsync($"/segments/{segmentId}");
        await Expect(page.GetByLabel("Segment status fresh")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var segment = await (await page.APIRequest.GetAsync($"/api/segments/{segmentId}")).JsonAsync();
        return (segmentId, segment!.Value.GetProperty("row_count").GetInt64());
    }

    /// <summary>Navigates to /lineage and waits for the graph; returns the page's own navigation-to-ready time (ms).</summary>
    private static async Task<double> OpenLineageAsync(IPage page)
    {
        await page.GotoAsync("/lineage");
        await page.Locator($"{Canvas}[data-ready='true']").WaitForAsync(new() { Timeout = 60_000 });
        return await page.EvaluateAsync<double>("() => window.portalLineageReadyAt");
    }

    [Fact]
    public async Task SegmentPage_LineageTab_DrawsTheSegmentsNeighbourhoodWithItsRule()
    {
        var page = await portal.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(m.Text);
                }
            }
        };
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        var name = "E2E tab " + Guid.NewGuid().ToString("N")[..6];
        var (_, rows) = await CreateRefreshedSegmentAsync(page, name);

        // The segment page has a Monaco editor (an AMD loader), which the graph libraries must not register with.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Lineage" }).ClickAsync();
        var canvas = page.Locator($"{Canvas}[data-ready='true']");
        await canvas.WaitForAsync(new() { Timeout = 30_000 });

        Assert.True(int.Parse((await canvas.GetAttributeAsync("data-nodes"))!, CultureInfo.InvariantCulture) >= 3);
        var panel = page.GetByRole(AriaRole.Region, new() { Name = "Node details" });
        await Expect(panel.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
        await Expect(panel.GetByLabel("Row count")).ToHaveTextAsync(rows.ToString("N0", CultureInfo.InvariantCulture));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task LineagePage_SearchClickHighlightFocusExpandExportKeyboard_EachStepShowsOnTheGraph()
    {
        var page = await portal.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type is "warning" or "error")
            {
                lock (errors)
                {
                    errors.Add(m.Text);
                }
            }
        };
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        var name = "E2E lineage " + Guid.NewGuid().ToString("N")[..6];
        var (segmentId, rows) = await CreateRefreshedSegmentAsync(page, name);
        var segmentNode = page.Locator($"[data-lineage-id='segment:{segmentId}']");

        var readyAt = await OpenLineageAsync(page);
        output.WriteLine($"Lineage ready {readyAt:N0} ms after navigation");
        var canvas = page.Locator(Canvas);

        // Search: the result centres the segment on the canvas; then a click on the node itself opens its details.
        await page.GetByLabel("Search nodes").FillAsync(name);
        var results = page.GetByRole(AriaRole.List, new() { Name = "Search results" });
        await results.GetByRole(AriaRole.Listitem).Filter(new() { HasText = $"Segment: {name}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Close details" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Node details" })).ToHaveCountAsync(0);
        await segmentNode.ClickAsync();
        var panel = page.GetByRole(AriaRole.Region, new() { Name = "Node details" });
        await Expect(panel.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
        await Expect(panel.GetByLabel("Row count")).ToHaveTextAsync(rows.ToString("N0", CultureInfo.InvariantCulture));
        await Expect(segmentNode).ToHaveAttributeAsync("aria-pressed", "true");

        // Its upstream and downstream path: marked on the nodes, the rest dimmed.
        await panel.GetByRole(AriaRole.Button, new() { Name = "Highlight path" }).ClickAsync();
        await Expect(canvas).ToHaveAttributeAsync("data-highlighted", new Regex("^[1-9][0-9]*$"));
        await Expect(segmentNode).ToHaveClassAsync(new Regex("mark-Highlighted"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "lineage-highlight.png") });

        // Focus with 1 hop: the whole graph narrows to the segment's neighbourhood.
        var allNodes = int.Parse((await canvas.GetAttributeAsync("data-nodes"))!, CultureInfo.InvariantCulture);
        await page.GetByLabel("Hops").FillAsync("1");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Focus here" }).ClickAsync();
        await page.WaitForFunctionAsync("all => { const el = document.querySelector(\"[data-testid='lineage-canvas']\"); return el.dataset.ready === 'true' && +el.dataset.nodes < all; }", allNodes);
        var focusedNodes = int.Parse((await canvas.GetAttributeAsync("data-nodes"))!, CultureInfo.InvariantCulture);

        // Its rule is a neighbour with hidden neighbours of its own (the tables it reads): expand it.
        await results.GetByRole(AriaRole.Listitem).Filter(new() { HasText = $"Rule: {name}" }).ClickAsync();
        await Expect(panel).ToContainTextAsync("Rule");
        var expand = panel.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^Expand \(\d+ hidden\)$") });
        await expand.ClickAsync();
        await page.WaitForFunctionAsync("n => { const el = document.querySelector(\"[data-testid='lineage-canvas']\"); return el.dataset.ready === 'true' && +el.dataset.nodes > n; }", focusedNodes);
        var expandedNodes = int.Parse((await canvas.GetAttributeAsync("data-nodes"))!, CultureInfo.InvariantCulture);
        output.WriteLine($"Lineage nodes: all {allNodes}, focused (1 hop) {focusedNodes}, after expanding the rule {expandedNodes}");

        // What the focus leaves out stands beside it as summary nodes ("5 segments"); a click shows those nodes instead.
        var summary = canvas.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("not shown · click to show") }).First;
        var summaryId = (await summary.GetAttributeAsync("data-lineage-id"))!;
        await summary.ClickAsync();
        await Expect(canvas.Locator($"[data-lineage-id='{summaryId}']")).ToHaveCountAsync(0);
        await Expect(canvas).ToHaveAttributeAsync("data-ready", "true");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "lineage-focus-expand.png") });

        // Export PNG and SVG of what is on screen: real downloads, checked by their signature and size.
        var png = await DownloadAsync(page, "Export PNG", "lineage.png");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.True(png.Length > 5_000, $"The PNG has {png.Length} bytes.");
        var svg = System.Text.Encoding.UTF8.GetString(await DownloadAsync(page, "Export SVG", "lineage.svg"));
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg, StringComparison.Ordinal);
        Assert.True(svg.Length > 2_000, $"The SVG has {svg.Length} characters.");
        Assert.Contains(System.Security.SecurityElement.Escape(name), svg, StringComparison.Ordinal);

        // Keyboard: Tab from the search field reaches a node, Enter opens its details, Escape closes them.
        await page.GetByLabel("Search nodes").FocusAsync();
        var reached = false;
        for (var i = 0; i < 60 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<bool>("() => document.activeElement?.classList.contains('lineage-node') === true");
        }

        Assert.True(reached, "Tab never reached a node of the graph.");
        var focusedName = await page.EvaluateAsync<string>("() => document.activeElement.querySelector('.lineage-node-name').textContent");
        await page.Keyboard.PressAsync("Enter");
        await Expect(panel.GetByRole(AriaRole.Heading, new() { Name = focusedName, Exact = true })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(panel).ToHaveCountAsync(0);

        lock (errors)
        {
            Assert.Empty(errors);
        }
    }

    private async Task<byte[]> DownloadAsync(IPage page, string button, string file)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync());
        Assert.Equal(file, download.SuggestedFilename);
        var path = Path.Combine(portal.ArtifactsFolder, "lineage-export-" + file);
        await download.SaveAsAsync(path);
        return await File.ReadAllBytesAsync(path);
    }
}
