using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using Portal.Core.Audiences;
using Portal.E2E;

namespace Portal.Bench;

/// <summary>
/// Every page of the portal timed in Debian's Chromium against the built portal in a child process, at two sizes: the
/// demo data (a fresh portal that loads it) and a big installation (<see cref="PagesFixture"/>, prepared once by the
/// child step <c>pages-prepare</c> and reused). Per page: the first visit after the portal's start (cold), the median of
/// the other runs (warm), both by <see cref="PageTimer"/>'s page clock, and the server's memory per open page.
/// </summary>
internal static class PagesBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var sizes, out var options))
        {
            Console.Error.WriteLine("usage: pages [--audiences N] [--rules N] [--users N] [--transactions N] [--jobs N] [--runs N] [--size demo|big|both] [--timeout S] [--screenshots DIR]");
            return 2;
        }

        var dll = PortalProcess.PortalDll();
        Console.WriteLine($"Page benchmark: every page in Chromium, {options.Runs} runs each ({Environment.ProcessorCount} cores); portal {dll}");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        var results = new List<(string Size, List<PageTimer.Timing> Timings)>();
        if (options.Size is "demo" or "both")
        {
            var folder = Path.Combine(Path.GetTempPath(), "portal-bench-pages-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var (database, bucket) = (Path.Combine(folder, "portal.db"), Path.Combine(folder, "bucket"));
                await using var portal = await BenchPortal.StartAsync(dll, database, bucket, demoData: true);
                results.Add(("demo data", await MeasureAllAsync(browser, portal, database, bucket, options)));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }

        if (options.Size is "big" or "both")
        {
            if (!PagesFixture.IsReady(sizes))
            {
                Console.WriteLine($"Preparing the big installation in {sizes.Folder} (once; later runs reuse it)");
                var watch = Stopwatch.StartNew();
                if (await ChildProcess.RunAsync(["pages-prepare", .. sizes.Arguments()]) != 0)
                {
                    return 1;
                }

                Console.WriteLine($"prepared in {watch.Elapsed.TotalSeconds:0} s");
            }

            await ComputeTotalsOnceAsync(browser, dll, sizes);
            await using var portal = await BenchPortal.StartAsync(dll, sizes.Database, sizes.Bucket, demoData: false);
            results.Add(($"{sizes.Audiences:N0} audiences, {sizes.Rules:N0} rules, {sizes.Users:N0} users, {sizes.Jobs:N0} jobs",
                await MeasureAllAsync(browser, portal, sizes.Database, sizes.Bucket, options)));
        }

        PrintTable(results);
        return results.All(r => r.Timings.All(t => t.Cold is not null)) ? 0 : 1;
    }

    /// <summary><c>pages-prepare [sizes]</c>: the big installation, in its own process.</summary>
    public static Task<int> PrepareAsync(string[] args) =>
        TryParse(args, out var sizes, out _) ? PagesFixture.PrepareAsync(sizes) : Task.FromResult(2);

    private sealed record Options(int Runs, string Size, int TimeoutSeconds, string? Screenshots);

    private static bool TryParse(string[] args, out PagesFixture.Sizes sizes, out Options options)
    {
        int audiences = 10_000, rules = 2_000, users = 1_000_000, jobs = 200_000, runs = 5, timeout = 120;
        long transactions = 10_000_000;
        string size = "both";
        string? screenshots = null;
        sizes = null!;
        options = null!;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--audiences": audiences = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--rules": rules = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--users": users = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--transactions": transactions = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "--jobs": jobs = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--runs": runs = Math.Max(2, int.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--timeout": timeout = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--size" when value is "demo" or "big" or "both": size = value; break;
                case "--screenshots": screenshots = Directory.CreateDirectory(value).FullName; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]} {value}"); return false;
            }
        }

        sizes = new PagesFixture.Sizes(audiences, rules, users, transactions, jobs);
        options = new Options(runs, size, timeout, screenshots);
        return args.Length % 2 == 0;
    }

    /// <summary>Signs in (landing on the not-found page, interactive but not timed, so every timed page's first visit is cold), then times each page.</summary>
    private static async Task<List<PageTimer.Timing>> MeasureAllAsync(IBrowser browser, PortalProcess portal, string database, string bucket, Options options)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = portal.BaseUrl, ViewportSize = new ViewportSize { Width = 1600, Height = 900 },
        });
        context.SetDefaultTimeout(options.TimeoutSeconds * 1000f);
        var page = await context.NewPageAsync();
        await BenchPortal.SignInAsync(page, "/not-found");
        await BenchPortal.WaitForIdleJobsAsync(page, TimeSpan.FromSeconds(120));
        var quiet = await PortalQuiet.WaitAsync(portal.ProcessId, TimeSpan.FromSeconds(60));
        var idle = await PortalQuiet.CoreShareAsync(portal.ProcessId, TimeSpan.FromSeconds(5));
        Console.WriteLine($"portal's own work with no page open: {idle:P0} of a core over 5 s{(quiet ? "" : " (not quiet within 60 s of the sign-in)")}");

        var (ruleId, segmentId) = await NewestRuleAsync(database);
        var audience = FirstAudience(bucket);
        Console.WriteLine($"pages ({portal.BaseUrl}, 1600x900; editors: audience {audience}, rule {ruleId}, segment {segmentId}); server resident {PortalQuiet.ResidentMegabytes(portal.ProcessId):N0} MB after sign-in:");
        const string rows = "tbody tr.mud-table-row";
        PageTimer.PageProbe[] pages =
        [
            // The dashboard's figures (KPI values) are drawn only once its totals are read.
            new("Dashboard", "/", ".portal-kpi-value"),
            new("Audiences", "/audiences", $"{rows} a[href^='audiences/']"),
            new("Audience editor", $"/audiences/{audience}", ".portal-main h1"),
            new("Rules", "/rules", $"{rows} a[href^='rules/']"),
            new("Rule editor", $"/rules/{ruleId}", ".portal-main h1"),
            new("Segments", "/segments", $"{rows} a[href^='segments/']"),
            new("Segment", $"/segments/{segmentId}", ".portal-main h1"),
            // The status matrix's rows: a plain table today, a paged grid with the same label later.
            new("Connectors", "/connectors", "[aria-label='Status by audience and adtech'] tbody tr"),
            new("Lineage", "/lineage", "[data-testid='lineage-canvas'][data-ready='true']"),
            // Imported files: its rows, or the grid's "no records" row.
            new("Uploads", "/uploads", "[aria-label='Imported files'] tbody tr"),
            new("Jobs", "/jobs", rows),
            new("Admin", "/admin", $"[aria-label='Users'] {rows}"),
        ];
        var timings = new List<PageTimer.Timing>();
        foreach (var probe in pages)
        {
            timings.Add(await PageTimer.MeasureAsync(page, portal, probe, options.Runs, options.TimeoutSeconds, options.Screenshots));
        }

        Console.WriteLine($"  server resident {PortalQuiet.ResidentMegabytes(portal.ProcessId):N0} MB at the end");
        return timings;
    }

    /// <summary>
    /// The big installation's dashboard totals, computed once by the portal's own job (tens of seconds at 10M
    /// transactions) on a start that is not measured: the fixture's customers come without them.
    /// </summary>
    private static async Task ComputeTotalsOnceAsync(IBrowser browser, string dll, PagesFixture.Sizes sizes)
    {
        await using (var connection = new SqliteConnection($"Data Source={sizes.Database}"))
        {
            await connection.OpenAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM dashboard_totals";
            if (Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0)
            {
                return;
            }
        }

        SqliteConnection.ClearAllPools();
        Console.WriteLine("computing the dashboard totals once (a start that is not measured)");
        await using var portal = await BenchPortal.StartAsync(dll, sizes.Database, sizes.Bucket, demoData: false);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl });
        context.SetDefaultTimeout(120_000);
        var page = await context.NewPageAsync();
        await BenchPortal.SignInAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Recompute totals" }).ClickAsync();
        await page.Locator(".portal-kpi-value").First.WaitForAsync(new() { Timeout = 900_000, State = WaitForSelectorState.Attached });
        await BenchPortal.WaitForIdleJobsAsync(page, TimeSpan.FromMinutes(15));
    }

    /// <summary>The newest rule and its segment: the editors' pages open it.</summary>
    private static async Task<(long Rule, long Segment)> NewestRuleAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT rule_id, id FROM segment_catalog ORDER BY rule_id DESC LIMIT 1";
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetInt64(1)) : (1, 1);
    }

    /// <summary>The first audience state file by name.</summary>
    private static string FirstAudience(string bucket) =>
        Directory.EnumerateFiles(Path.Combine(bucket, AudienceCatalog.StateFolder), "*.yml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).First()!;

    private static void PrintTable(List<(string Size, List<PageTimer.Timing> Timings)> results)
    {
        Console.WriteLine();
        Console.WriteLine("| page | " + string.Join(" | ", results.Select(r => $"{r.Size}: cold / warm median / MB per page")) + " |");
        Console.WriteLine("|---|" + string.Concat(results.Select(_ => "---|")));
        var names = results.SelectMany(r => r.Timings.Select(t => t.Page.Name)).Distinct();
        foreach (var name in names)
        {
            var cells = results.Select(r => r.Timings.FirstOrDefault(t => t.Page.Name == name) is { } t
                ? $"{PageTimer.Ms(t.Cold)} / {PageTimer.Ms(t.WarmMedian)} / {t.MemoryPerPage:N1}"
                : "—");
            Console.WriteLine($"| {name} | {string.Join(" | ", cells)} |");
        }
    }
}
