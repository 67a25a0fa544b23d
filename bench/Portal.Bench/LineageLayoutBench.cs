using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Lineage;
using Portal.Core.Maintenance;
using Portal.Core.Uploads;

namespace Portal.Bench;

/// <summary>
/// <c>lineage-layout [--rules N] [--runs N] [--engine msagl|graphshape] [--variants]</c>: the whole generated lineage (<see cref="LineageGenerator"/>, as the
/// portal's <see cref="LineageBuilder"/> builds it) laid out by each <see cref="LineageLayoutEngine"/>, a fresh layout
/// each run (no cache), in-process: time, and the drawing's extent and edges pointing against the flow, to judge both.
/// </summary>
internal static class LineageLayoutBench
{
    /// <summary>Crossings among edges joining neighbouring columns (pairs whose ends are in opposite vertical order).</summary>
    private static long Crossings(LineageView view, IReadOnlyDictionary<string, LayoutPoint> p, List<double> columns)
    {
        var column = columns.Select((x, i) => (x, i)).ToDictionary(c => c.x, c => c.i);
        var groups = view.Edges.Select(e => (From: p[e.Source], To: p[e.Target]))
            .Where(e => column[Math.Round(e.To.X)] == column[Math.Round(e.From.X)] + 1)
            .GroupBy(e => Math.Round(e.From.X));
        long count = 0;
        foreach (var group in groups)
        {
            var edges = group.ToList();
            for (var i = 0; i < edges.Count; i++)
            {
                for (var j = i + 1; j < edges.Count; j++)
                {
                    count += (edges[i].From.Y - edges[j].From.Y) * (edges[i].To.Y - edges[j].To.Y) < 0 ? 1 : 0;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Ways to lay the same view out faster with MSAGL, each timed like the engines: without the jobs' "runs" edges (a
    /// job node fans out to every segment or audience, across many layers), and each domain band on its own, the
    /// bands in parallel (with and without the runs edges).
    /// </summary>
    private static Task VariantsAsync(LineageView view, int runs)
    {
        var withoutRuns = view with { Edges = [.. view.Edges.Where(e => e.Kind != LineageEdgeKind.Runs)] };
        Time("MSAGL, without the jobs' runs edges", runs, () => new LineageLayout().Compute(withoutRuns, groupByDomain: false));
        foreach (var (name, source) in new[] { ("", view), (" without runs edges", withoutRuns) })
        {
            var bands = source.Nodes.GroupBy(n => n.Domain).Select(g =>
            {
                var ids = g.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
                return source with { Nodes = [.. g], Edges = [.. source.Edges.Where(e => ids.Contains(e.Source) && ids.Contains(e.Target))] };
            }).ToList();
            Console.WriteLine($"  bands{name}: " + string.Join(", ", bands.Select(b => $"{b.Nodes[0].Domain} {b.Nodes.Count} nodes / {b.Edges.Count} edges")));
            Time($"MSAGL, per domain band in parallel{name}", runs, () => Parallel.ForEach(bands, b => new LineageLayout().Compute(b, groupByDomain: false)));
            foreach (var band in bands)
            {
                Time($"    band {band.Nodes[0].Domain} alone{name}", 1, () => new LineageLayout().Compute(band, groupByDomain: false));
            }
        }

        return Task.CompletedTask;
    }

    private static IEnumerable<(string Name, string Value)> Options(string[] args)
    {
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            yield return (args[i], args[i + 1]);
        }
    }

    private static void Time(string what, int runs, Action action)
    {
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"  {what}: {string.Join(" / ", times.Select(t => $"{t:N0}"))} ms");
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var rules = 660;
        var runs = 3;
        var engines = Enum.GetValues<LineageLayoutEngine>();
        var variants = args.Contains("--variants");
        string? database = null, bucketPath = null;
        foreach (var (name, value) in Options(args.Where(a => a != "--variants").ToArray()))
        {
            switch (name)
            {
                case "--rules": rules = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--engine": engines = [Enum.Parse<LineageLayoutEngine>(value, ignoreCase: true)]; break;
                case "--database": database = value; break;
                case "--bucket": bucketPath = value; break;
                default: Console.Error.WriteLine($"unknown argument {name}"); return 2;
            }
        }

        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-layout-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            LineageGraph graph;
            if (database is not null && bucketPath is not null)
            {
                // An installation's own lineage (the pages benchmark's fixture, say), with what its uploads and jobs add.
                var factory = BenchDatabase.Factory(database);
                var bucket = new LocalBucket(bucketPath);
                graph = await new LineageBuilder(factory, AudienceIndex.Standalone(factory, bucket),
                    [new UploadsLineage(new ImportedFileQueries(factory), factory), new MaintenanceLineage(factory)]).BuildAsync();
            }
            else
            {
                var factory = await BenchDatabase.MigratedAsync(Path.Combine(folder, "portal.db"));
                var bucket = new LocalBucket(Path.Combine(folder, "bucket"));
                await LineageGenerator.GenerateAsync(factory, bucket, rules);
                graph = await new LineageBuilder(factory, AudienceIndex.Standalone(factory, bucket), []).BuildAsync();
            }

            var view = graph.WholeView();
            Console.WriteLine($"Lineage layout: {view.Nodes.Count:N0} nodes, {view.Edges.Count:N0} edges, {runs} runs per engine ({Environment.ProcessorCount} cores)");
            // --runs 0 skips the whole view (an installation's may take many minutes) for the variants' bands alone.
            foreach (var engine in runs > 0 ? engines : [])
            {
                var times = new List<double>();
                LineageLayoutResult? result = null;
                for (var run = 0; run < runs; run++)
                {
                    var watch = Stopwatch.StartNew();
                    result = new LineageLayout(engine).Compute(view, groupByDomain: false);
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }

                var p = result!.Positions;
                var width = p.Values.Max(x => x.X) - p.Values.Min(x => x.X) + LineageLayout.NodeWidth;
                var height = p.Values.Max(x => x.Y) - p.Values.Min(x => x.Y) + LineageLayout.NodeHeight;
                var backwards = view.Edges.Count(e => p[e.Source].X >= p[e.Target].X);
                var columns = p.Values.Select(x => Math.Round(x.X)).Distinct().Order().ToList();
                var crossings = Crossings(view, p, columns);
                Console.WriteLine($"  {engine,-10} {string.Join(" / ", times.Select(t => $"{t:N0}"))} ms (first includes JIT); extent {width:N0} × {height:N0} px, "
                    + $"{columns.Count} columns, {backwards} edge(s) not pointing right, {crossings:N0} crossings between neighbouring columns");
            }

            if (variants)
            {
                await VariantsAsync(view, Math.Max(1, runs));
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
