using System.Diagnostics;
using System.Globalization;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Bench;

/// <summary>
/// Members from a Parquet file through normalization, SHA-256, batching and HTTP POSTs to the sandbox on loopback,
/// as the catalog run does it (AdtechB: 10,000 per request). Each part runs in its own process, so that the exporter's
/// peak working set is the export's alone: <c>export-prepare</c> writes the fixture file, <c>sandbox</c> stands for the
/// remote adtech, <c>export-phases</c> times reading and hashing on their own, and <c>export-upload</c> is the exporter.
/// The processes share the machine's cores, as a portal and a remote API on one box would not.
/// </summary>
internal static class ExportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var members = args is ["--members", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 1_000_000;
        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-export-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Console.WriteLine($"Export benchmark: {members:N0} members, AdtechB batches of 10,000 ({Environment.ProcessorCount} cores); fixture, sandbox and exporter in their own processes");
            if (await ChildProcess.RunAsync("export-prepare", "--members", members.ToString(CultureInfo.InvariantCulture), "--folder", folder) != 0)
            {
                return 1;
            }

            await using var sandbox = await SandboxProcess.StartAsync();
            if (await ChildProcess.RunAsync("export-phases", "--folder", folder) != 0)
            {
                return 1;
            }

            var sandboxCpu = sandbox.ProcessorTime;
            var exit = await ChildProcess.RunAsync("export-upload", "--folder", folder, "--sandbox", sandbox.BaseUrl, "--token", sandbox.AccessToken);
            if (exit == 0)
            {
                exit = await ChildProcess.RunAsync("export-seeded", "--folder", folder, "--sandbox", sandbox.BaseUrl, "--token", sandbox.AccessToken);
            }

            if (exit == 0)
            {
                exit = await ChildProcess.RunAsync("export-seeded", "--folder", folder, "--sandbox", sandbox.BaseUrl, "--token", sandbox.AccessToken, "--warm");
            }

            Console.WriteLine($"sandbox CPU:            {(sandbox.ProcessorTime - sandboxCpu).TotalSeconds,10:0.0} s during the export (it shares the cores)");
            foreach (var line in await sandbox.StopAsync())
            {
                Console.WriteLine(line);
            }

            return exit;
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary><c>export-prepare --members N --folder F</c>: writes the fixture member file.</summary>
    public static async Task<int> PrepareAsync(string[] args)
    {
        var (members, folder) = (int.Parse(Option(args, "--members"), CultureInfo.InvariantCulture), Option(args, "--folder"));
        var write = Stopwatch.StartNew();
        await MemberFile.WriteAsync(new LocalBucket(folder), Audience, Enumerable.Range(0, members).Select(FixtureMember));
        Console.WriteLine($"parquet written:        {write.Elapsed.TotalSeconds,10:0.0} s ({new FileInfo(Path.Combine(folder, "data", Audience + ".parquet.gz")).Length / 1048576.0:0.0} MiB)");
        return 0;
    }

    /// <summary><c>export-phases --folder F</c>: where the time goes, reading alone, then reading with normalization and hashing (one thread).</summary>
    public static async Task<int> PhasesAsync(string[] args)
    {
        var bucket = new LocalBucket(Option(args, "--folder"));
        var phase = Stopwatch.StartNew();
        long read = 0;
        await foreach (var _ in MemberFile.ReadAsync(bucket, Audience))
        {
            read++;
        }

        Console.WriteLine($"read only:              {read / phase.Elapsed.TotalSeconds,10:N0} members/s");
        phase.Restart();
        var stats = new HashStats();
        var options = new NormalizationOptions(Country.TryGet("US", out var us) ? us : throw new InvalidOperationException("US is not a known country")); // the bench's members are US-style
        await foreach (var m in MemberFile.ReadAsync(bucket, Audience))
        {
            stats.Hash(m, options);
        }

        Console.WriteLine($"read + hash, 1 thread:  {stats.Members / phase.Elapsed.TotalSeconds,10:N0} members/s");
        return 0;
    }

    /// <summary>
    /// <c>export-upload --folder F --sandbox URL --token T</c>: the exporter, as the portal runs it, with its peak working
    /// set and what the garbage collector saw (sampled during the export).
    /// </summary>
    public static async Task<int> UploadAsync(string[] args)
    {
        var bucket = new LocalBucket(Option(args, "--folder"));
        var (state, connector, connection, http) = Exporter(args);
        using var _ = http;

        var before = Process.GetCurrentProcess().PeakWorkingSet64;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        var paused = GC.GetTotalPauseDuration();
        using var sampler = new GcSampler();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var outcome = await connector.UploadAsync(state, connection, MemberFile.ReadAsync(bucket, Audience));
        watch.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        var members = Math.Max(1, outcome.Sent);

        Console.WriteLine($"outcome:                {outcome.Response.Status} {outcome.Response.Message}");
        Console.WriteLine($"export time:            {watch.Elapsed.TotalSeconds,10:0.0} s");
        Console.WriteLine($"export throughput:      {outcome.Sent / watch.Elapsed.TotalSeconds,10:N0} members/s   (target >= 200,000)");
        Console.WriteLine($"exporter CPU:           {cpu.TotalSeconds,10:0.0} s ({cpu / watch.Elapsed:0.00} cores busy on average)");
        Console.WriteLine($"exporter peak WS:       {peak / 1048576.0,10:N0} MiB   (target flat, <= 300; {before / 1048576.0:N0} MiB before the export)");
        Console.WriteLine($"GC heap (sampled):      {sampler.PeakHeap / 1048576.0,10:N0} MiB at most after a GC, {sampler.PeakCommitted / 1048576.0:N0} MiB committed at most");
        Console.WriteLine($"allocated:              {allocated / 1048576.0,10:N0} MiB ({allocated / members:N0} bytes/member); collections gen0/1/2: "
            + string.Join("/", Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - collections[g]))
            + $", paused {(GC.GetTotalPauseDuration() - paused).TotalSeconds:0.00} s");
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var left = GC.GetGCMemoryInfo();
        Console.WriteLine($"GC heap after the export: {(left.HeapSizeBytes - left.FragmentedBytes) / 1048576.0,8:N0} MiB live after a full collection (what the export left behind: pooled arrays)");
        Console.WriteLine($"GC mode:                {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {System.Runtime.GCSettings.LatencyMode}");
        return outcome.Succeeded ? 0 : 1;
    }

    /// <summary>
    /// <c>export-seeded --folder F --sandbox URL --token T</c>: a first export to a mirror target as the catalog run does
    /// it: the upload records the snapshot as it hashes, then the snapshot and its digests are written from those runs.
    /// </summary>
    /// <remarks>
    /// With <c>--warm</c>, as in a portal that has exported before: two first exports + seeds of 200,000 members of their
    /// own run in the same process before the measured one (its code compiled and optimized), and the peak working set
    /// is reset after them.
    /// </remarks>
    public static async Task<int> SeededAsync(string[] args)
    {
        var bucket = new LocalBucket(Option(args, "--folder"));
        var (state, connector, connection, http) = Exporter(args);
        using var _ = http;
        var sync = new MirrorSync(bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(bucket.Root, "work") });
        if (args.Contains("--warm"))
        {
            // Twice, a second apart: the runtime starts counting calls (to recompile hot code optimized) only once no new
            // code was compiled for a while, so a process that exported once still runs some of that code unoptimized.
            await MemberFile.WriteAsync(bucket, "warm", Enumerable.Range(0, 200_000).Select(FixtureMember));
            for (var i = 0; i < 2; i++)
            {
                await ExportAndSeedAsync(bucket, "warm", sync, state, connector, connection);
                await Task.Delay(TimeSpan.FromSeconds(1)); // the JIT's background compilations of the hot methods end
            }

            GC.Collect();
            PeakWorkingSet.Reset();
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var (sent, exported) = await ExportAndSeedAsync(bucket, Audience, sync, state, connector, connection);
        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(args.Contains("--warm") ? "-- in a process that exported before (a running portal):" : "-- in a fresh process:");
        Console.WriteLine($"export + seed:          {watch.Elapsed.TotalSeconds,10:0.0} s, {sent / watch.Elapsed.TotalSeconds:N0} members/s (target >= 400,000); "
            + $"export {exported.TotalSeconds:0.0} s ({sent / exported.TotalSeconds:N0} members/s), snapshot written {(watch.Elapsed - exported).TotalSeconds:0.0} s");
        Console.WriteLine($"export + seed CPU:      {cpu.TotalSeconds,10:0.0} s ({cpu / watch.Elapsed:0.00} cores busy on average); peak WS {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB");
        return sent > 0 ? 0 : 1;
    }

    /// <summary>A first export to a mirror target, then its snapshot written from the runs the upload packed; the members sent and the upload's time.</summary>
    private static async Task<(long Sent, TimeSpan Exported)> ExportAndSeedAsync(LocalBucket bucket, string audience, MirrorSync sync, AudienceState state,
        AdtechBConnector connector, AdtechConnection connection)
    {
        var watch = Stopwatch.StartNew();
        await using var seed = sync.StartSeed();
        var outcome = await connector.UploadAsync(state, connection, MemberFile.Members(bucket, audience), UploadStart.Fresh() with { Seed = seed });
        var exported = watch.Elapsed;
        if (!outcome.Succeeded)
        {
            Console.WriteLine($"export failed: {outcome.Response.Status} {outcome.Response.Message}");
            return (0, exported);
        }

        await sync.SeedAsync(audience, connector.Key, seed);
        return (outcome.Sent, exported);
    }

    private static (AudienceState State, AdtechBConnector Connector, AdtechConnection Connection, HttpClient Http) Exporter(string[] args)
    {
        var state = AudienceStateParser.Parse("bench.yml", "bench:\n  description: bench\n  country: US\n  source: {endpoint: x}\n  adtechB:\n    name: Bench\n    expiration_time: 30\n").State!;
        var http = new HttpClient();
        var connector = new AdtechBConnector(new AdtechHttp(http, new AdtechRetryOptions(), TimeProvider.System), TimeProvider.System);
        return (state, connector, new AdtechConnection("adtechB", new Uri(Option(args, "--sandbox")), null, Option(args, "--token")), http);
    }

    private const string Audience = "bench";

    /// <summary>The fixture's member <paramref name="i"/> (US-style, as the bench's audience says).</summary>
    private static Member FixtureMember(int i) => new([$"Member{i}@Example.com "], [$"(415) 555-{i % 10_000:D4}"], [$"{94000 + (i % 1000):D5}-1234"]);

    private static string Option(string[] args, string name) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{name} is required");
}

/// <summary>The GC's heap size and committed memory, sampled every few milliseconds until disposed; the maxima seen.</summary>
internal sealed class GcSampler : IDisposable
{
    private readonly Timer _timer;
    private long _peakHeap;
    private long _peakCommitted;
    private string _atPeak = "";

    public GcSampler() => _timer = new Timer(_ => Sample(), null, 0, 10);

    public long PeakHeap => Interlocked.Read(ref _peakHeap);
    public long PeakCommitted => Interlocked.Read(ref _peakCommitted);

    /// <summary>The generations' sizes (gen0, gen1, gen2, large objects, pinned; MiB) after the GC that found the heap at its largest.</summary>
    public string AtPeak => Volatile.Read(ref _atPeak);

    private void Sample()
    {
        var info = GC.GetGCMemoryInfo();
        if (info.HeapSizeBytes > Interlocked.Read(ref _peakHeap))
        {
            var generations = info.GenerationInfo.ToArray();
            Volatile.Write(ref _atPeak, string.Join(" / ", Enumerable.Range(0, generations.Length)
                .Select(g => $"{generations[g].SizeAfterBytes / 1048576.0:N0}" + (generations[g].FragmentationAfterBytes > 1048576 ? $" ({generations[g].FragmentationAfterBytes / 1048576.0:N0} free)" : ""))));
        }

        Max(ref _peakHeap, info.HeapSizeBytes);
        Max(ref _peakCommitted, info.TotalCommittedBytes);
    }

    private static void Max(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            Interlocked.CompareExchange(ref target, value, seen);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Sample();
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
