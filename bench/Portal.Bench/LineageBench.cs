using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Lineage;
using Portal.E2E;

namespace Portal.Bench;

/// <summary>
/// Navigation to an interactive lineage graph in Debian's Chromium, against the built portal in a child process: a
/// generated lineage of a big installation (<see cref="LineageGenerator"/>; its node and edge counts as the portal's own
/// <see cref="LineageBuilder"/> builds them) on its default focus view and with <c>?view=all</c>, pan and zoom steps
/// and the server's memory per open page on it; then the same graph after a restart with no saved layout (never laid
/// out: the first load waits for the layout); optionally a ~10,000-node graph with "show all"; then the demo graph.
/// Each run is a document load (from about:blank, so no enhanced navigation and no earlier graph), timed by the page
/// itself (<c>window.portalLineageFirstReadyAt</c>: ms from navigation start until the first view is drawn and takes
/// clicks; for a big graph never laid out that is its focus view, and <c>portalLineageCompleteAt</c> says when the view
/// asked for followed) and from outside (goto until the canvas says ready). The first run of a portal is cold (JIT); the others are warm.
/// </summary>
internal static class LineageBench
{
    private const string Canvas = "[data-testid='lineage-canvas']";

    /// <summary><c>--screenshots DIR</c>: each graph's page after its runs, as opened and fitted, saved there to look at.</summary>
    private static string? _screenshots;

    public static async Task<int> RunAsync(string[] args)
    {
        var rules = 660;
        var runs = 5;
        var timeout = 120;
        var bigRules = 0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--rules": rules = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--timeout": timeout = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--big-rules": bigRules = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--screenshots": _screenshots = Directory.CreateDirectory(args[i + 1]).FullName; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-lineage-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            // The csproj builds the portal first, in this benchmark's configuration.
            var dll = PortalProcess.PortalDll();
            Console.WriteLine($"Lineage benchmark: navigation to an interactive /lineage in Chromium, {runs} runs per graph ({Environment.ProcessorCount} cores); portal {dll}");

            var generated = Path.Combine(folder, "generated");
            var (database, bucket) = (Path.Combine(generated, "portal.db"), Path.Combine(generated, "bucket"));
            var factory = await BenchDatabase.MigratedAsync(database);
            var watch = Stopwatch.StartNew();
            var made = await LineageGenerator.GenerateAsync(factory, new LocalBucket(bucket), rules);
            Console.WriteLine($"generated in {watch.Elapsed.TotalSeconds:0.0} s: {made.Rules:N0} rules ({made.Aggregates:N0} with an aggregate, {made.Combined:N0} set operations, "
                + $"{made.Memberships:N0} membership tests), {made.Audiences:N0} audiences ({made.FromEndpoints:N0} from HTTP endpoints, {made.Exports:N0} exports)");
            await PrintGraphAsync("generated", factory, bucket);
            SqliteConnection.ClearAllPools();

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });

            var ok = true;
            await using (var portal = await BenchPortal.StartAsync(dll, database, bucket, demoData: false))
            {
                ok &= await MeasureAsync("generated, default view", "/lineage", browser, portal, runs, timeout, 1_000);
                ok &= await MeasureAsync("generated, show all", "/lineage?view=all", browser, portal, runs, timeout, 1_000, interact: true);
            }

            // Started again with the saved layout deleted: the first load waits for a layout never computed before.
            File.Delete(Path.Combine(bucket, LineageLayoutWarmer.SavedLayoutPath));
            await using (var portal = await BenchPortal.StartAsync(dll, database, bucket, demoData: false))
            {
                ok &= await MeasureAsync("generated, never laid out, show all", "/lineage?view=all", browser, portal, 1, timeout, 3_000);
            }

            if (bigRules > 0)
            {
                var huge = Path.Combine(folder, "huge");
                var (hugeDatabase, hugeBucket) = (Path.Combine(huge, "portal.db"), Path.Combine(huge, "bucket"));
                var hugeFactory = await BenchDatabase.MigratedAsync(hugeDatabase);
                await LineageGenerator.GenerateAsync(hugeFactory, new LocalBucket(hugeBucket), bigRules);
                await PrintGraphAsync("huge", hugeFactory, hugeBucket);
                SqliteConnection.ClearAllPools();
                await using var portal = await BenchPortal.StartAsync(dll, hugeDatabase, hugeBucket, demoData: false);
                ok &= await MeasureAsync("huge, show all", "/lineage?view=all", browser, portal, runs, timeout, 2_500);
            }

            var demo = Path.Combine(folder, "demo");
            var demoDatabase = Path.Combine(demo, "portal.db");
            await using (var portal = await BenchPortal.StartAsync(dll, demoDatabase, Path.Combine(demo, "bucket"), demoData: true))
            {
                await PrintGraphAsync("demo", BenchDatabase.Factory(demoDatabase), Path.Combine(demo, "bucket"));
                ok &= await MeasureAsync("demo", "/lineage", browser, portal, runs, timeout, 500);
            }

            return ok ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// <c>lineage-prepare FOLDER [--rules N]</c>: the generated lineage's database and bucket kept in FOLDER (portal.db,
    /// bucket/), to run the portal on it and look at or profile the page.
    /// </summary>
    public static async Task<int> PrepareAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: lineage-prepare FOLDER [--rules N]");
            return 2;
        }

        var rules = args is [_, "--rules", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 660;
        var factory = await BenchDatabase.MigratedAsync(Path.Combine(args[0], "portal.db"));
        var made = await LineageGenerator.GenerateAsync(factory, new LocalBucket(Path.Combine(args[0], "bucket")), rules);
        Console.WriteLine($"generated {made.Rules:N0} rules and {made.Audiences:N0} audiences in {args[0]}");
        SqliteConnection.ClearAllPools();
        return 0;
    }

    /// <summary>The graph as the portal's LineageBuilder builds it from the database and bucket: counts by kind, build time.</summary>
    private static async Task PrintGraphAsync(string what, Factory factory, string bucketPath)
    {
        var bucket = new LocalBucket(bucketPath);
        var builder = new LineageBuilder(factory, AudienceIndex.Standalone(factory, bucket), []);
        await builder.BuildAsync(); // warm-up: EF's first query
        var watch = Stopwatch.StartNew();
        var graph = await builder.BuildAsync();
        watch.Stop();
        Console.WriteLine($"{what} lineage (LineageBuilder): {graph.Nodes.Count:N0} nodes, {graph.Edges.Count:N0} edges, {graph.Problems.Count} problem(s); built in {watch.Elapsed.TotalMilliseconds:N0} ms in-process");
        Console.WriteLine("  nodes: " + string.Join(", ", graph.Nodes.GroupBy(n => n.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}")));
        Console.WriteLine("  edges: " + string.Join(", ", graph.Edges.GroupBy(e => e.Kind).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}")));
        foreach (var problem in graph.Problems.Take(5))
        {
            Console.WriteLine("  problem: " + problem);
        }
    }

    /// <summary>
    /// Signs in, then <paramref name="runs"/> document loads of <paramref name="path"/>; with <paramref name="interact"/>,
    /// pan and zoom steps and the server's memory per open page. False when a run did not get ready in time.
    /// </summary>
    private static async Task<bool> MeasureAsync(string what, string path, IBrowser browser, PortalProcess portal, int runs, int timeoutSeconds, double targetMs, bool interact = false)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = portal.BaseUrl, ViewportSize = new ViewportSize { Width = 1600, Height = 900 },
        });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await BenchPortal.SignInAsync(page);
        await BenchPortal.WaitForIdleJobsAsync(page, TimeSpan.FromSeconds(60));

        Console.WriteLine($"{what} graph in Chromium ({portal.BaseUrl}{path}, 1600x900, timeout {timeoutSeconds} s):");
        var pageTimes = new List<double>();
        var wallTimes = new List<double>();
        var completeTimes = new List<double>();
        var origins = new HashSet<double>();
        for (var run = 1; run <= runs; run++)
        {
            await page.GotoAsync("about:blank");
            var watch = Stopwatch.StartNew();
            await page.GotoAsync(portal.BaseUrl + path, new() { WaitUntil = WaitUntilState.Commit });
            try
            {
                await page.Locator($"{Canvas}[data-ready='true']").WaitForAsync(new() { Timeout = timeoutSeconds * 1000f, State = WaitForSelectorState.Attached });
            }
            catch (TimeoutException)
            {
                Console.WriteLine($"  run {run}: not ready within {timeoutSeconds} s (wall): no further runs for this graph");
                await page.CloseAsync(new() { RunBeforeUnload = false });
                return false;
            }

            watch.Stop();
            // A big graph never laid out is usable at once on a focus view; the whole graph follows once laid out.
            await page.Locator($"{Canvas}[data-ready='true'][data-complete='true']").WaitForAsync(new() { Timeout = timeoutSeconds * 1000f, State = WaitForSelectorState.Attached });
            var seen = await page.EvaluateAsync<JsonElement>($$"""
                () => {
                    const c = document.querySelector("{{Canvas}}");
                    const nav = performance.getEntriesByType("navigation")[0];
                    return {
                        readyAt: window.portalLineageFirstReadyAt ?? null, completeAt: window.portalLineageCompleteAt ?? null, origin: performance.timeOrigin, type: nav ? nav.type : null,
                        nodes: c.dataset.nodes ?? null, edges: c.dataset.edges ?? null, layoutMs: c.dataset.layoutMs ?? null,
                        drawn: document.querySelectorAll(".lineage-node").length, links: document.querySelectorAll(".lineage-link").length,
                        domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
                    };
                }
                """);
            var readyAt = Number(seen, "readyAt");
            origins.Add(Number(seen, "origin") ?? 0);
            wallTimes.Add(watch.Elapsed.TotalMilliseconds);
            if (readyAt is { } ms)
            {
                pageTimes.Add(ms);
            }

            var completeAt = Number(seen, "completeAt");
            if (completeAt is { } all)
            {
                completeTimes.Add(all);
            }

            Console.WriteLine($"  run {run} ({(run == 1 ? "cold" : "warm")}, {Text(seen, "type")} load): ready at {Ms(readyAt),8} (page)  {watch.Elapsed.TotalMilliseconds,8:N0} ms (wall)   "
                + (completeAt == readyAt ? "" : $"whole view drawn at {Ms(completeAt)} (page)   ")
                + $"server layout {Text(seen, "layoutMs")} ms, DOMContentLoaded {Ms(Number(seen, "domContentLoaded"))}, view {Text(seen, "nodes")} nodes / {Text(seen, "edges")} edges, drawn {Text(seen, "drawn")} nodes / {Text(seen, "links")} links");
        }

        if (origins.Count != runs)
        {
            Console.WriteLine($"  odd: {runs} runs but {origins.Count} distinct documents (performance.timeOrigin)");
        }

        Summary("page", pageTimes);
        Summary("wall", wallTimes);
        if (!completeTimes.SequenceEqual(pageTimes))
        {
            Summary("whole view drawn", completeTimes);
        }

        Console.WriteLine($"  target:                   <= {targetMs:N0} ms from navigation to an interactive graph (page's clock, median)");
        if (_screenshots is { } folder)
        {
            var name = string.Concat(what.Select(c => char.IsLetterOrDigit(c) ? c : '-'));
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"lineage-{name}.png") });
            await page.GetByRole(AriaRole.Button, new() { Name = "Fit" }).ClickAsync();
            await Task.Delay(1_000); // a picture to look at, not a measurement: the fitted view's frame drawn
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"lineage-{name}-fitted.png") });
            await page.GotoAsync(portal.BaseUrl + path);
            await page.Locator($"{Canvas}[data-ready='true'][data-complete='true']").WaitForAsync(new() { Timeout = timeoutSeconds * 1000f, State = WaitForSelectorState.Attached });
        }

        if (interact)
        {
            await LineageInteraction.MeasureAsync(page, portal, browser, path);
        }

        return true;
    }

    private static void Summary(string what, List<double> times)
    {
        if (times.Count == 0)
        {
            return;
        }

        var rest = times.Skip(1).ToList();
        Console.WriteLine($"  {what}: median {Median(times),8:N0} ms of {times.Count};  cold {times[0],8:N0} ms;  warm median {(rest.Count > 0 ? Median(rest).ToString("N0", CultureInfo.InvariantCulture) : "—"),8} ms");
    }

    private static double? Number(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetDouble() : null;

    private static string Text(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? "—" : e.GetProperty(name).ToString();

    private static string Ms(double? ms) => ms is { } v ? $"{v:N0} ms" : "—";

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
