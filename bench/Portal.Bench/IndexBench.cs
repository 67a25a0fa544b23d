using System.Diagnostics;
using System.Globalization;
using Portal.Core.Audiences;

namespace Portal.Bench;

/// <summary>
/// The audience index over many state files (a tenth with member data): the first fill, a reconcile that finds nothing
/// changed, and one after 1 % of the files were rewritten behind the portal's back. SQLite, as the portal runs it.
/// </summary>
internal static class IndexBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var files = args is ["--files", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 10_000;
        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-index-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var bucket = new LocalBucket(Path.Combine(folder, "bucket"));
            var factory = await BenchDatabase.MigratedAsync(Path.Combine(folder, "portal.db"));
            for (var i = 0; i < files; i++)
            {
                await bucket.WriteTextAsync(AudienceCatalog.StatePath(Name(i)), State(i, "Audience"), null);
                if (i % 10 == 0)
                {
                    await MemberFile.WriteAsync(bucket, Name(i), Members(i));
                }
            }

            var index = AudienceIndex.Standalone(factory, bucket);
            var fill = await index.ReconcileAsync();
            var unchanged = new List<double>();
            for (var run = 0; run < 5; run++)
            {
                unchanged.Add((await index.ReconcileAsync()).Took.TotalMilliseconds);
            }

            for (var i = 0; i < files; i += 100)
            {
                File.WriteAllText(Path.Combine(bucket.Root, AudienceCatalog.StatePath(Name(i))), State(i, "Changed behind the portal"));
            }

            var changed = await index.ReconcileAsync();
            var queries = new AudienceQueries(factory, index, bucket);
            var (_, total) = await queries.MatrixAsync("adtechB", AdtechStatus.Posted, 5_000, 25); // EF's first query of each shape
            await queries.ListAsync("audience_0", AudienceFilter.Pending, AudienceSort.Name, false, 0, 25);
            var page = Stopwatch.StartNew();
            (_, total) = await queries.MatrixAsync("adtechB", AdtechStatus.Posted, 5_000, 25);
            var counts = await queries.StatusCountsAsync(null);
            page.Stop();
            var list = Stopwatch.StartNew();
            var (_, listed) = await queries.ListAsync(null, AudienceFilter.Any, AudienceSort.Members, true, 5_000, 25);
            list.Stop();

            Console.WriteLine($"Audience index benchmark: {files:N0} state files ({files / 10:N0} with member data), {Environment.ProcessorCount} cores");
            Console.WriteLine($"first fill:                 {fill.Took.TotalSeconds,8:0.00} s   ({fill.Read:N0} files read)");
            Console.WriteLine($"reconcile, nothing changed: {unchanged.Order().ElementAt(unchanged.Count / 2),8:0} ms  (median of {unchanged.Count}; {unchanged.Min():0}–{unchanged.Max():0} ms)");
            Console.WriteLine($"reconcile, 1 % changed:     {changed.Took.TotalMilliseconds,8:0} ms  ({changed.Read:N0} files read)");
            Console.WriteLine($"matrix page + counts:       {page.Elapsed.TotalMilliseconds,8:0} ms  ({total:N0} rows match; {counts[AdtechStatus.Posted]:N0} cells posted)");
            Console.WriteLine($"audiences page (by members):{list.Elapsed.TotalMilliseconds,8:0} ms  ({listed:N0} audiences)");
            Console.WriteLine($"peak working set:           {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,8:N0} MiB");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Name(int i) => $"audience_{i:D5}";

    private static string State(int i, string description) =>
        $"{Name(i)}:\n  description: {description} {i}\n  source:\n    endpoint: demo-endpoint/\n    params:\n      n: {i}\n    last_response:\n      date: '20261122'\n      status: 200\n      message: 'Success'\n  adtechA:\n    name: A {i}\n    id: 'A{i}'\n    audience_type: TYPE_X\n  adtechB:\n    name: B {i}\n    id: 'B{i}'\n    expiration_time: 300\n";

    private static async IAsyncEnumerable<Member> Members(int seed)
    {
        for (var m = 0; m < 100; m++)
        {
            yield return new Member([$"user{seed}_{m}@example.com"], [], []);
        }

        await Task.CompletedTask;
    }
}
