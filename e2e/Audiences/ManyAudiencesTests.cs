using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Audiences;

/// <summary>
/// A portal of its own on a bucket of 2,000 generated audiences (beside the demo's): the Connectors status matrix pages
/// and filters on the server, and the lineage opens on a focus view with what it leaves out as summary nodes. In the
/// shared collection, so it never runs beside the other browser tests.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ManyAudiencesTests(PortalFixture shared) : IAsyncLifetime
{
    private const int Generated = 2_000;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-e2e-many-" + Guid.NewGuid().ToString("N")[..8]);
    private PortalProcess? _app;

    public async Task InitializeAsync()
    {
        var state = Path.Combine(_folder, "bucket", "state");
        Directory.CreateDirectory(state);
        for (var i = 0; i < Generated; i++)
        {
            // Two audiences in three posted to AdtechB (an id); the third not yet, and without member data: not fetched.
            var name = $"campaign_{i:D4}";
            var adtechB = i % 3 == 2 ? "" : $"\n    id: 'B{i}'";
            await File.WriteAllTextAsync(Path.Combine(state, name + ".yml"),
                $"{name}:\n  description: Campaign {i}\n  source:\n    endpoint: demo-endpoint/\n    params:\n      n: {i}\n    last_response:\n      date: '20261122'\n      status: 200\n      message: 'Success'\n"
                + $"  adtechA:\n    name: A {i}\n    id: 'A{i}'\n    audience_type: TYPE_X\n  adtechB:\n    name: B {i}{adtechB}\n    expiration_time: 300\n");
        }

        _app = await PortalProcess.StartAsync(PortalProcess.PortalDll(), PortalFixture.Environment(_folder, demoUsers: 500, demoTransactions: 5000),
            TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task ConnectorsAndLineage_TwoThousandAudiences_PageFilterAndFocus()
    {
        var context = await shared.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app!.BaseUrl, ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/connectors");

        // The matrix shows one page of 25 and counts every status in its header.
        var matrix = page.GetByLabel("Status by audience and adtech", new() { Exact = true });
        var pager = matrix.Locator(".mud-table-pagination-caption[translate=no]");
        await Expect(pager).ToContainTextAsync(new Regex(@"^1-25 of 2,?0\d\d$"));
        await Expect(matrix.Locator("tbody").GetByRole(AriaRole.Row)).ToHaveCountAsync(25);
        var statuses = page.GetByRole(AriaRole.Group, new() { Name = "Adtech statuses" });
        await Expect(statuses.GetByLabel(new Regex(@"^NOT_FETCHED: \d+$"))).ToBeVisibleAsync();
        var notFetched = int.Parse(Regex.Match((await statuses.GetByLabel(new Regex(@"^NOT_FETCHED: \d+$")).GetAttributeAsync("aria-label"))!, @"\d+$").Value, CultureInfo.InvariantCulture);
        Assert.True(notFetched >= Generated / 3, $"NOT_FETCHED counted {notFetched}.");

        var rows = matrix.Locator("tbody").GetByRole(AriaRole.Row);
        var first = await rows.First.InnerTextAsync();
        await matrix.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(pager).ToContainTextAsync(new Regex(@"^26-50 of "));
        Assert.NotEqual(first, await rows.First.InnerTextAsync());

        // Filtered by status on the server: every audience on the page has an adtech not fetched.
        await page.GetByLabel("Filter by status").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "NOT_FETCHED" }).ClickAsync();
        await Expect(pager).ToContainTextAsync(new Regex(@"^1-25 of \d"));
        for (var i = 0; i < await rows.CountAsync(); i++)
        {
            await Expect(rows.Nth(i)).ToContainTextAsync("NOT_FETCHED");
        }

        // The lineage opens on a focus view, not on 2,000 audience nodes; a focus on AdtechB shows its audiences as one summary.
        await page.GotoAsync("/lineage?search=AdtechB");
        var canvas = page.GetByTestId("lineage-canvas");
        await Expect(canvas).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.Locator("body")).ToContainTextAsync(new Regex(@"nodes: showing the\s+\d+\s+within\s+1\s+hop\(s\)\s+of\s+adtech\s+AdtechB"));
        Assert.True(int.Parse((await canvas.GetAttributeAsync("data-nodes"))!, CultureInfo.InvariantCulture) < 30);
        var summary = canvas.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^\d,\d{3} audiences not shown") });
        await Expect(summary).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(shared.ArtifactsFolder, "lineage-many-audiences.png") });
        await context.CloseAsync();
    }
}
