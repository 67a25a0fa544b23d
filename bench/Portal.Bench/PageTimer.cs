using System.Globalization;
using Microsoft.Playwright;
using Portal.E2E;

namespace Portal.Bench;

/// <summary>
/// One page of the portal timed in Chromium: each run a document load from about:blank, timed by the page's own clock
/// from navigation start until it is settled: the circuit is up (the layout's <c>data-portal-ready</c>), the page's own
/// content is there (<see cref="PageProbe.Content"/>: its grid's rows, its heading once loaded, the lineage canvas
/// ready), no loading bar or grid-loading row is showing, and two animation frames have passed (the render that put the
/// content there is painted). The first run after the portal's start is cold; the others are warm. Then the server's
/// resident memory before and after three more tabs of the page are opened.
/// </summary>
internal static class PageTimer
{
    /// <summary>Any of these showing means the page is still loading something.</summary>
    private const string Busy = ".mud-progress-linear.mud-progress-indeterminate, .mud-table-loading, .mud-table-loading-progress";

    private const string Settle = """
        async ([content, busy, timeoutMs]) => {
            const frame = () => new Promise(r => requestAnimationFrame(r));
            const started = performance.now();
            const settled = () => document.body && document.body.dataset.portalReady === '1' && document.querySelector(content) && !document.querySelector(busy);
            while (!settled()) {
                if (performance.now() - started > timeoutMs) return null;
                await frame();
            }
            await frame();
            await frame();
            return performance.now();
        }
        """;

    /// <summary>A page to time: its name, its path, and a CSS selector matched only once its content is there.</summary>
    public sealed record PageProbe(string Name, string Path, string Content);

    public sealed record Timing(PageProbe Page, double? Cold, List<double> Warm, double MemoryPerPage)
    {
        public double? WarmMedian => Warm.Count == 0 ? null : Warm.Order().ElementAt(Warm.Count / 2);
    }

    public static async Task<Timing> MeasureAsync(IPage page, PortalProcess portal, PageProbe probe, int runs, int timeoutSeconds, string? screenshots)
    {
        double? cold = null;
        var warm = new List<double>();
        var line = new List<string>();
        for (var run = 1; run <= runs; run++)
        {
            var ms = await LoadAsync(page, portal, probe, timeoutSeconds);
            line.Add(ms is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—");
            if (ms is null)
            {
                if (screenshots is not null)
                {
                    await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, $"pages-{Slug(probe.Name)}-run{run}.png"), FullPage = true });
                }

                break;
            }

            if (run == 1)
            {
                cold = ms;
            }
            else
            {
                warm.Add(ms.Value);
            }

            await PortalQuiet.WaitAsync(portal.ProcessId);
        }

        if (screenshots is not null && warm.Count > 0)
        {
            // The page as settled after its last run: to check that the probe waits for the content it names.
            await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, $"pages-{Slug(probe.Name)}.png") });
        }

        // A page that did not settle is not opened three more times.
        var memory = cold is null ? double.NaN : await MemoryPerPageAsync(page, portal, probe, timeoutSeconds);
        var timing = new Timing(probe, cold, warm, memory);
        Console.WriteLine($"  {probe.Name,-18} cold {Ms(cold),8}  warm median {Ms(timing.WarmMedian),8}   memory {memory,6:N1} MB/page   runs (ms): {string.Join(" ", line)}");
        return timing;
    }

    /// <summary>One document load of the page; ms from navigation start until settled (page's clock), or null past the timeout.</summary>
    public static async Task<double?> LoadAsync(IPage page, PortalProcess portal, PageProbe probe, int timeoutSeconds)
    {
        await page.GotoAsync("about:blank");
        await page.GotoAsync(portal.BaseUrl + probe.Path, new() { WaitUntil = WaitUntilState.Commit, Timeout = timeoutSeconds * 1000f });
        var settledAt = await page.EvaluateAsync<double?>(Settle, new object[] { probe.Content, Busy, timeoutSeconds * 1000 });
        return settledAt;
    }

    /// <summary>Resident memory of the portal before and after three more tabs of the page, per tab (as the lineage benchmark does).</summary>
    private static async Task<double> MemoryPerPageAsync(IPage page, PortalProcess portal, PageProbe probe, int timeoutSeconds)
    {
        await PortalQuiet.WaitAsync(portal.ProcessId);
        var before = PortalQuiet.ResidentMegabytes(portal.ProcessId);
        var more = new List<IPage>();
        for (var i = 0; i < 3; i++)
        {
            var tab = await page.Context.NewPageAsync();
            await LoadAsync(tab, portal, probe, timeoutSeconds);
            more.Add(tab);
        }

        await PortalQuiet.WaitAsync(portal.ProcessId);
        var after = PortalQuiet.ResidentMegabytes(portal.ProcessId);
        foreach (var tab in more)
        {
            await tab.CloseAsync();
        }

        return (after - before) / 3;
    }

    public static string Ms(double? ms) => ms is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) + " ms" : "—";

    private static string Slug(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-'));
}
