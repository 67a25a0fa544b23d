using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Audiences;
using Portal.Core.Customers;
using Portal.Core.Uploads;

namespace Portal.Bench;

/// <summary>
/// <c>uploads [--rows N] [--users N]</c>: the import of a generated credit-card transactions CSV (1M rows by default)
/// through the portal's own <see cref="DatasetImporter"/> into SQLite and the bucket, as the import job runs it, twice
/// (in a portal just started, then in one running; the targets are judged on the second): rows/s,
/// the process's peak working set and its size at each quarter of the file (flat when the import streams), then
/// DuckDB's own <c>read_csv</c> → <c>COPY … TO parquet</c> of the same file, and two ratios: the whole import (CSV to
/// Parquet, checks, then the load into SQLite and its indexes) against DuckDB, and the like-for-like part, CSV to a
/// checked Parquet file (until the importer reports "Storing"), against DuckDB.
/// </summary>
internal static class UploadBench
{
    private const double TargetRowsPerSecond = 150_000;
    private const double TargetRatio = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = 1_000_000L;
        var users = 100_000;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--rows": rows = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--users": users = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-uploads-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine($"Upload benchmark: a {rows:N0}-row credit_card_transactions CSV imported into SQLite and Parquet ({Environment.ProcessorCount} cores)");
            var csv = Path.Combine(folder, "bench-transactions.csv");
            var generator = new DemoDataGenerator(DemoDataGenerator.EndFor(TimeProvider.System));
            var watch = Stopwatch.StartNew();
            await WriteCsvAsync(csv, generator.CreditCardTransactions(rows, users));
            Console.WriteLine($"CSV generated in {watch.Elapsed.TotalSeconds:0.0} s: {new FileInfo(csv).Length / 1048576.0:N0} MiB");

            // The same import twice in this process, each into a database and bucket of its own with the same users: first
            // as in a portal just started (its code still being compiled as it runs), then as in one that has run a while.
            Console.WriteLine("first import after start (code not yet compiled):");
            var cold = await ImportOnceAsync(Path.Combine(folder, "cold"), csv, users, settle: false);
            Console.WriteLine("the same import again in a running portal (a new database with the same users):");
            var warm = await ImportOnceAsync(Path.Combine(folder, "warm"), csv, users, settle: true);
            if (cold is null || warm is null)
            {
                return 1;
            }

            // DuckDB's time varies from run to run on a small machine as much as ours does: three runs, and their median.
            var duckRuns = new List<TimeSpan>();
            for (var i = 0; i < 3; i++)
            {
                duckRuns.Add(await DuckDbAsync(folder, csv));
            }

            var duck = duckRuns.Order().ElementAt(1);
            Console.WriteLine($"DuckDB read_csv → COPY TO parquet: {duck.TotalSeconds,8:0.00} s  {rows / duck.TotalSeconds,12:N0} rows/s  (median of {string.Join(", ", duckRuns.Select(d => d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s)");
            foreach (var (name, run) in new[] { ("first", cold), ("running", warm) })
            {
                Console.WriteLine($"ratio ({name}), like for like (CSV → checked, de-duplicated Parquet: {run.ToParquet.TotalSeconds:0.00} s until \"Storing\") / DuckDB: {run.ToParquet / duck:0.00}  (target <= {TargetRatio:0});"
                    + $" whole import (then the rows loaded into SQLite and its indexes rebuilt, committed) / DuckDB: {run.Whole / duck:0.00}");
            }

            return warm.RowsPerSecond >= TargetRowsPerSecond && warm.ToParquet / duck <= TargetRatio ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Run(TimeSpan Whole, TimeSpan ToParquet, double RowsPerSecond);

    /// <summary>
    /// One import of the CSV through <see cref="DatasetImporter"/> into a new database (with <paramref name="users"/>
    /// users) and bucket under <paramref name="folder"/>. With <paramref name="settle"/>, the import starts once the JIT
    /// has compiled nothing for a second: creating and filling the new database just before queues some 2,000 methods
    /// for recompiling, work a portal that has been running finished long ago, which otherwise takes ~0.4 s of CPU
    /// from the import while it reads.
    /// </summary>
    private static async Task<Run?> ImportOnceAsync(string folder, string csvFile, int users, bool settle)
    {
        var factory = await BenchDatabase.MigratedAsync(Path.Combine(folder, "portal.db"));
        await new CustomerDataLoader(factory).LoadAsync(new DemoDataGenerator(DemoDataGenerator.EndFor(TimeProvider.System)), users, 0);
        if (settle)
        {
            var waited = Stopwatch.StartNew();
            var quiet = Stopwatch.StartNew();
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            while (quiet.Elapsed < TimeSpan.FromSeconds(1) && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
                var now = System.Runtime.JitInfo.GetCompiledMethodCount();
                if (now != compiled)
                {
                    (compiled, quiet) = (now, Stopwatch.StartNew());
                }
            }

            Console.WriteLine($"  JIT quiet after {waited.Elapsed.TotalSeconds:0.0} s ({compiled:N0} methods compiled in all)");
        }

        // The CSV is where an upload leaves it: in the bucket, under uploads/incoming/.
        var bucket = new LocalBucket(Path.Combine(folder, "bucket"));
        const string source = "uploads/incoming/bench-transactions.csv";
        var csv = Path.Combine(folder, "bucket", source);
        Directory.CreateDirectory(Path.GetDirectoryName(csv)!);
        File.Copy(csvFile, csv);

        var importer = new DatasetImporter(factory, bucket, Options.Create(new UploadOptions()), TimeProvider.System, NullLogger<DatasetImporter>.Instance);
        using var memory = new PeakMemory();
        var quarters = new List<string>();
        var stages = new List<string>();
        var stage = "";
        var nextQuarter = 1;
        var heapAt = new List<(long Rows, long WorkingSet)>();
        TimeSpan? parquetDone = null;
        TimeSpan cpuAtStart = default, readingCpu = default;
        GC.Collect();
        var before = memory.WorkingSet();
        var watch = Stopwatch.StartNew();
        var file = await importer.ImportAsync(new ImportRequest(DatasetCatalog.CreditCardTransactions, null, "bench-transactions.csv", source, "bench", ImportSource.Upload),
            (p, _) =>
            {
                if (p.Stage != stage)
                {
                    stage = p.Stage;
                    stages.Add($"{stage} at {watch.Elapsed.TotalSeconds:0.00} s");
                    if (stage == "Reading")
                    {
                        cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
                    }

                    if (stage == "Storing")
                    {
                        parquetDone = watch.Elapsed;
                        readingCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
                    }
                }

                if (p.BytesTotal is > 0 && p.BytesRead * 4 >= p.BytesTotal * nextQuarter && nextQuarter <= 4)
                {
                    var workingSet = memory.WorkingSet();
                    heapAt.Add((p.RowsRead, workingSet));
                    var gc = GC.GetGCMemoryInfo();
                    quarters.Add($"{nextQuarter * 25}% ({p.RowsRead:N0} rows) {workingSet / 1048576.0:N0} MiB, managed heap {gc.HeapSizeBytes / 1048576.0:N0} MiB ({gc.TotalCommittedBytes / 1048576.0:N0} committed)");
                    nextQuarter++;
                }

                return Task.CompletedTask;
            });
        var ours = watch.Elapsed;
        if (file.Status != ImportStatus.Imported)
        {
            Console.WriteLine($"import {file.Status}: {file.Error}");
            return null;
        }

        var rowsPerSecond = file.RowsIn / ours.TotalSeconds;
        Console.WriteLine($"  portal import:    {ours.TotalSeconds,8:0.00} s  {rowsPerSecond,12:N0} rows/s  (target >= {TargetRowsPerSecond:N0})   rows in {file.RowsIn:N0}, kept {file.RowsKept:N0}");
        Console.WriteLine($"  working set:      {before / 1048576.0:N0} MiB before, peak {memory.Peak / 1048576.0:N0} MiB during");
        Console.WriteLine($"  by share of the file read: {string.Join("; ", quarters)}");
        if (heapAt.Count >= 2 && heapAt[^1].Rows > heapAt[0].Rows)
        {
            var slope = (heapAt[^1].WorkingSet - heapAt[0].WorkingSet) / (double)(heapAt[^1].Rows - heapAt[0].Rows);
            Console.WriteLine($"  working-set slope while reading: {slope:N0} bytes/row from {heapAt[0].Rows:N0} to {heapAt[^1].Rows:N0} rows");
        }

        Console.WriteLine($"  stages:           {string.Join(", ", stages)}");
        Console.WriteLine($"  CPU while reading: {readingCpu.TotalSeconds:0.00} s (all threads, from \"Reading\" to \"Storing\")");
        Console.WriteLine($"  Parquet:          {ParquetBytes(folder) / 1048576.0:N1} MiB under datasets/");
        SqliteConnection.ClearAllPools();
        return new Run(ours, parquetDone ?? ours, rowsPerSecond);
    }

    private static async Task WriteCsvAsync(string path, IEnumerable<CreditCardTransaction> transactions)
    {
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteLineAsync("transaction_id,user_id,amount,merchant,category,transaction_date");
        foreach (var t in transactions)
        {
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{t.TransactionId},{t.UserId},{t.Amount:0.00},{t.Merchant},{t.Category},{t.TransactionDate:yyyy-MM-ddTHH:mm:ssZ}"));
        }
    }

    private static long ParquetBytes(string folder) =>
        Directory.EnumerateFiles(Path.Combine(folder, "bucket", "datasets"), "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    /// <summary>
    /// DuckDB reading the same CSV and writing Snappy Parquet, in its own process-wide threads. The statement names the
    /// files relative to the working directory, so it is a constant: no value is pasted into it.
    /// </summary>
    private static async Task<TimeSpan> DuckDbAsync(string folder, string csv)
    {
        var previous = Directory.GetCurrentDirectory();
        File.Copy(csv, Path.Combine(folder, "duck.csv"), overwrite: true);
        Directory.SetCurrentDirectory(folder);
        try
        {
            await using var connection = new DuckDBConnection("Data Source=:memory:");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "COPY (SELECT * FROM read_csv('duck.csv', header = true)) TO 'duck.parquet' (FORMAT parquet, COMPRESSION snappy)";
            var watch = Stopwatch.StartNew();
            await command.ExecuteNonQueryAsync();
            return watch.Elapsed;
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    /// <summary>The process's working set, sampled every 20 ms; <see cref="Peak"/> is the largest seen.</summary>
    private sealed class PeakMemory : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public PeakMemory() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));

        public long Peak => Interlocked.Read(ref _peak);

        public long WorkingSet()
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }

        private void Sample()
        {
            var now = WorkingSet();
            long seen;
            while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
        }

        public void Dispose()
        {
            _timer.Dispose();
            Sample();
        }
    }
}
