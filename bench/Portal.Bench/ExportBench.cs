using System.Diagnostics;
using System.Globalization;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;

namespace Portal.Bench;

/// <summary>
/// Members from a Parquet file through normalization, SHA-256, batching and HTTP POSTs to the sandbox on loopback,
/// as the catalog run does it (AdtechB: 10,000 per request). Run once per size: the peak working set is per process.
/// The sandbox runs in the same process, so the peak includes its request parsing.
/// </summary>
internal static class ExportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var members = args is ["--members", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 1_000_000;
        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-export-" + Guid.NewGuid().ToString("N")[..8]);
        var bucket = new LocalBucket(folder);
        try
        {
            await using var sandboxHost = await LoopbackSandbox.StartAsync();
            var sandbox = sandboxHost.State;
            var url = sandboxHost.BaseUrl;

            Console.WriteLine($"Export benchmark: {members:N0} members, AdtechB batches of 10,000, sandbox at {url} ({Environment.ProcessorCount} cores)");
            var write = Stopwatch.StartNew();
            await MemberFile.WriteAsync(bucket, "bench", Enumerable.Range(0, members).Select(i =>
                new Member([$"Member{i}@Example.com "], [$"(415) 555-{i % 10_000:D4}"], [$"{94000 + (i % 1000):D5}-1234"])));
            Console.WriteLine($"parquet written:        {write.Elapsed.TotalSeconds,10:0.0} s ({new FileInfo(Path.Combine(folder, "data", "bench.parquet.gz")).Length / 1048576.0:0.0} MiB)");

            // Where the time goes: reading alone, then reading with normalization and hashing (one thread).
            var phase = Stopwatch.StartNew();
            long read = 0;
            await foreach (var _ in MemberFile.ReadAsync(bucket, "bench"))
            {
                read++;
            }

            Console.WriteLine($"read only:              {read / phase.Elapsed.TotalSeconds,10:N0} members/s");
            phase.Restart();
            var stats = new HashStats();
            await foreach (var m in MemberFile.ReadAsync(bucket, "bench"))
            {
                stats.Hash(m, NormalizationOptions.Default);
            }

            Console.WriteLine($"read + hash, 1 thread:  {stats.Members / phase.Elapsed.TotalSeconds,10:N0} members/s");

            var state = AudienceStateParser.Parse("bench.yml", "bench:\n  description: bench\n  source: {endpoint: x}\n  adtechB:\n    name: Bench\n    expiration_time: 30\n").State!;
            using var http = new HttpClient();
            var connector = new AdtechBConnector(new AdtechHttp(http, new AdtechRetryOptions(), TimeProvider.System), TimeProvider.System);
            var connection = new AdtechConnection("adtechB", new Uri(url), null, sandbox.AccessToken);
            GC.Collect();
            var before = Process.GetCurrentProcess().PeakWorkingSet64;
            var watch = Stopwatch.StartNew();
            var outcome = await connector.UploadAsync(state, connection, MemberFile.ReadAsync(bucket, "bench"));
            watch.Stop();
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;

            Console.WriteLine($"outcome:                {outcome.Response.Status} {outcome.Response.Message}");
            Console.WriteLine($"members sent:           {outcome.Sent,10:N0} in {sandbox.Calls.Count:N0} requests");
            Console.WriteLine($"export time:            {watch.Elapsed.TotalSeconds,10:0.0} s");
            Console.WriteLine($"export throughput:      {outcome.Sent / watch.Elapsed.TotalSeconds,10:N0} members/s   (target >= 200,000)");
            Console.WriteLine($"peak working set:       {peak / 1048576.0,10:N0} MiB (before the export: {before / 1048576.0:N0} MiB; target flat, <= 300)");
            return outcome.Succeeded ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>A catalog pass (read, parse, validate, check data) over many state files, none needing work.</summary>
internal static class CatalogBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var files = args is ["--files", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 10_000;
        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-catalog-" + Guid.NewGuid().ToString("N")[..8]);
        var bucket = new LocalBucket(folder);
        try
        {
            for (var i = 0; i < files; i++)
            {
                var name = $"audience_{i:D5}";
                await bucket.WriteTextAsync(AudienceCatalog.StatePath(name),
                    $"{name}:\n  description: Audience {i}\n  source:\n    endpoint: demo-endpoint/\n    params:\n      n: {i}\n    last_response:\n      date: '20261122'\n      status: 200\n      message: 'Success'\n  adtechA:\n    name: A {i}\n    id: 'A{i}'\n    audience_type: TYPE_X\n  adtechB:\n    name: B {i}\n    id: 'B{i}'\n    expiration_time: 300\n", null);
            }

            var watch = Stopwatch.StartNew();
            var valid = 0;
            var pending = 0;
            await foreach (var entry in new AudienceCatalog(bucket).ScanAsync())
            {
                valid += entry.IsValid ? 1 : 0;
                pending += entry.State!.AdtechKeysPresent.Count(k => entry.State.StatusOf(k, entry.HasMemberData) == AdtechStatus.NotPosted);
            }

            watch.Stop();
            Console.WriteLine($"Catalog benchmark: {files:N0} state files");
            Console.WriteLine($"catalog pass:           {watch.Elapsed.TotalSeconds,10:0.00} s   (target <= 10 s); {valid:N0} valid, {pending:N0} uploads pending");
            Console.WriteLine($"per file:               {watch.Elapsed.TotalMilliseconds * 1000 / files,10:0} µs");
            Console.WriteLine($"peak working set:       {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,10:N0} MiB");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
