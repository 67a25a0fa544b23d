using System.Diagnostics;
using System.Globalization;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Bench;

/// <summary>
/// A mirror sync of an audience where 5 % changed (2.5 % left, 2.5 % joined): members read from the Parquet file,
/// hashed, sorted against the snapshot of what the adtech holds, and the difference handed to a target that accepts
/// everything at once. Each part in its own process (<c>sync-prepare</c> writes the two member files, <c>sync-seed</c>
/// makes the first snapshot as a first export does, <c>sync-run</c> is the measured sync), so the peak working set is the sync's alone.
/// The sync runs twice from the same seeded snapshot: first in a fresh process (its code compiled as it runs), then as in
/// a portal that has run syncs before (after a warm-up sync of a small audience in the same process), followed by the
/// fold of its journal into a new snapshot that one sync in several does.
/// </summary>
internal static class SyncBench
{
    private const string Audience = "bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var members = args is ["--members", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 1_000_000;
        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-sync-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Console.WriteLine($"Sync benchmark: {members:N0} members, 2.5 % left and 2.5 % joined, AdtechB batches of 10,000 to a no-op target ({Environment.ProcessorCount} cores)");
            var count = members.ToString(CultureInfo.InvariantCulture);
            foreach (var step in new[] { "sync-prepare", "sync-seed" })
            {
                if (await ChildProcess.RunAsync(step, "--members", count, "--folder", folder) != 0)
                {
                    return 1;
                }
            }

            var (mirror, seeded) = (Path.Combine(folder, MirrorSnapshot.Folder), Path.Combine(folder, "seeded"));
            CopyFolder(mirror, seeded);
            Console.WriteLine("-- in a fresh process:");
            if (await ChildProcess.RunAsync("sync-run", "--members", count, "--folder", folder) != 0)
            {
                return 1;
            }

            Directory.Delete(mirror, recursive: true);
            CopyFolder(seeded, mirror);
            Console.WriteLine("-- in a process that ran a sync before (a running portal):");
            return await ChildProcess.RunAsync("sync-run", "--members", count, "--folder", folder, "--warm");
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary><c>sync-prepare</c>: the member file before (0 … N−1) and after (2.5 % of them gone, as many new ones).</summary>
    public static async Task<int> PrepareAsync(string[] args)
    {
        var (members, bucket) = Options(args);
        var changed = members / 40;
        var watch = Stopwatch.StartNew();
        await MemberFile.WriteAsync(bucket, Audience, Enumerable.Range(0, members).Select(Member));
        await MemberFile.WriteAsync(bucket, Audience + "-after", Enumerable.Range(changed, members).Select(Member));
        Console.WriteLine($"parquet written:        {watch.Elapsed.TotalSeconds,10:0.0} s (two files of {members:N0} members)");
        return 0;
    }

    /// <summary><c>sync-seed</c>: what follows the export that creates the audience: its members recorded as the snapshot (hashed, sorted, written; nothing sent).</summary>
    public static async Task<int> SeedAsync(string[] args)
    {
        var (_, bucket) = Options(args);
        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Sync(bucket).SeedAsync(Audience, "adtechB", MemberFile.Members(bucket, Audience), India);
        var members = await MemberFile.CountAsync(bucket, Audience);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"seed (after a first export): {watch.Elapsed.TotalSeconds,5:0.0} s, {members / watch.Elapsed.TotalSeconds:N0} members/s, CPU {cpu.TotalSeconds:0.0} s; "
            + $"peak WS {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB; snapshot {new FileInfo(Path.Combine(((LocalBucket)bucket).Root, "sync", Audience, "adtechB.snapshot")).Length / 1048576.0:N0} MiB");
        return 0;
    }

    /// <summary><c>sync-run</c>: the measured sync of the changed members against the snapshot.</summary>
    public static async Task<int> RunSyncAsync(string[] args)
    {
        var (_, bucket) = Options(args);
        if (args.Contains("--warm"))
        {
            await WarmUpAsync(bucket);
            PeakWorkingSet.Reset();
        }

        var before = Process.GetCurrentProcess().PeakWorkingSet64;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var sampler = new GcSampler();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await SyncAsync(bucket, Audience + "-after");
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Console.WriteLine($"outcome:                {result.Outcome}: +{result.Added:N0} / −{result.Removed:N0}, {result.Unchanged:N0} unchanged, {result.Batches} batches; {result.Hashed:N0} members hashed (the others known by raw digest)");
        Console.WriteLine($"sync time:              {result.Duration.TotalSeconds,10:0.00} s   (read, hash and sort the members, merge-join with the snapshot, hand over the difference, commit)");
        Console.WriteLine($"sync CPU:               {cpu.TotalSeconds,10:0.0} s ({cpu / result.Duration:0.00} cores busy on average)");
        Console.WriteLine($"peak WS:                {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,10:N0} MiB   (target <= 150; {before / 1048576.0:N0} MiB before the sync)");
        Console.WriteLine($"GC heap (sampled):      {sampler.PeakHeap / 1048576.0,10:N0} MiB at most, {sampler.PeakCommitted / 1048576.0:N0} MiB committed at most; {allocated / 1048576.0:N0} MiB allocated");
        Console.WriteLine($"GC heap at its peak:    gen0 / gen1 / gen2 / large / pinned {sampler.AtPeak} MiB");
        var journal = (await new MirrorSnapshot(bucket, Audience, "adtechB").JournalAsync(CancellationToken.None)).Count;
        var watch = Stopwatch.StartNew();
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await new MirrorSnapshot(bucket, Audience, "adtechB").CommitAsync(CancellationToken.None);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"fold of the journal:    {watch.Elapsed.TotalSeconds,10:0.00} s   (CPU {cpu.TotalSeconds:0.0} s; its {journal} objects into a new snapshot and digests, which a sync does once the journal reaches 25 % of the snapshot or 100 objects)");
        return result.Outcome == MirrorSyncOutcome.Synced ? 0 : 1;
    }

    /// <summary>Seeds a small audience of its own and syncs it three times, so that the measured sync runs code compiled as a running portal has it.</summary>
    private static async Task WarmUpAsync(IBucket bucket)
    {
        const int members = 200_000;
        await MemberFile.WriteAsync(bucket, "warm", Enumerable.Range(0, members).Select(Member));
        await MemberFile.WriteAsync(bucket, "warm-after", Enumerable.Range(members / 40, members).Select(Member));
        await Sync(bucket).SeedAsync("warm", "adtechB", MemberFile.Members(bucket, "warm"), India);
        foreach (var file in new[] { "warm-after", "warm", "warm-after" })
        {
            await Sync(bucket).RunAsync("warm", "adtechB", MemberFile.Members(bucket, file), India, new NoTarget());
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // the JIT's background compilations of the hot methods end
        GC.Collect();
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static Task<MirrorSyncResult> SyncAsync(IBucket bucket, string members) =>
        Sync(bucket).RunAsync(Audience, "adtechB", MemberFile.Members(bucket, members), India, new NoTarget());

    private static MirrorSync Sync(IBucket bucket) => new(bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(((LocalBucket)bucket).Root, "work") });

    private static NormalizationOptions India { get; } = new(Country.TryGet("IN", out var india) ? india : throw new InvalidOperationException("IN is unknown"));

    private static Member Member(int i) => new([$"Member{i}@Example.com"], [$"+91 98{i % 100_000_000:D8}"], [$"{560_000 + (i % 1000):D6}"]);

    private static (int Members, IBucket Bucket) Options(string[] args) =>
        (int.Parse(args.SkipWhile(a => a != "--members").Skip(1).First(), CultureInfo.InvariantCulture), new LocalBucket(args.SkipWhile(a => a != "--folder").Skip(1).First()));

    /// <summary>An adtech that accepts every batch at once.</summary>
    private sealed class NoTarget : IMirrorTarget
    {
        public int BatchSize => 10_000;

        public Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => Task.FromResult(new MirrorAnswer(true, 200, "OK"));

        public Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => Task.FromResult(new MirrorAnswer(true, 200, "OK"));
    }
}
