using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Customers;

namespace Portal.Bench;

/// <summary>
/// A big installation for the page benchmark, in a folder (portal.db, bucket/): the customers of the refresh
/// benchmark's SQLite file (copied, never changed; built here when it is missing), its rules and segments replaced by
/// <see cref="LineageGenerator"/>'s, N audience state files (<see cref="PagesAudienceWriter"/>) and N finished jobs
/// (<see cref="PagesJobWriter"/>). Written once into <c>/tmp/portal-bench/pages-…</c>, keyed by the sizes, and reused.
/// </summary>
internal static class PagesFixture
{
    public sealed record Sizes(int Audiences, int Rules, int Users, long Transactions, int Jobs)
    {
        public string Folder => Path.Combine(Path.GetTempPath(), "portal-bench",
            FormattableString.Invariant($"pages-a{Audiences}-r{Rules}-u{Users}-t{Transactions}-j{Jobs}"));

        public string Database => Path.Combine(Folder, "portal.db");

        public string Bucket => Path.Combine(Folder, "bucket");

        public string[] Arguments() =>
        [
            "--audiences", Text(Audiences), "--rules", Text(Rules), "--users", Text(Users),
            "--transactions", Transactions.ToString(CultureInfo.InvariantCulture), "--jobs", Text(Jobs),
        ];

        private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The marker written last: a folder without it is an interrupted preparation and is made again.</summary>
    private const string ReadyMarker = "ready";

    public static bool IsReady(Sizes sizes) => File.Exists(Path.Combine(sizes.Folder, ReadyMarker));

    /// <summary><c>pages-prepare</c>: the fixture of these sizes, made in a folder beside its final one and then moved there.</summary>
    public static async Task<int> PrepareAsync(Sizes sizes)
    {
        if (IsReady(sizes))
        {
            Console.WriteLine($"fixture ready in {sizes.Folder}");
            return 0;
        }

        var partial = sizes.Folder + ".partial";
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        if (Directory.Exists(sizes.Folder))
        {
            Directory.Delete(sizes.Folder, recursive: true);
        }

        Directory.CreateDirectory(partial);
        var database = Path.Combine(partial, "portal.db");
        var watch = Stopwatch.StartNew();
        await CustomersAsync(sizes, database);
        Console.WriteLine($"  customers in {watch.Elapsed.TotalSeconds:0.0} s");

        var factory = await BenchDatabase.MigratedAsync(database);
        await using (var db = factory.CreateDbContext())
        {
            // The refresh benchmark's rule and segment go (with their members and history, by cascade): the generated ones take ids from 1.
            await db.Database.ExecuteSqlRawAsync("PRAGMA foreign_keys=ON; DELETE FROM rule_table; DELETE FROM sqlite_sequence WHERE name IN ('rule_table', 'segment_catalog');");
        }

        watch.Restart();
        var segments = await LineageGenerator.GenerateRulesAsync(factory, sizes.Rules);
        Console.WriteLine($"  {segments.Count:N0} rules and segments in {watch.Elapsed.TotalSeconds:0.0} s");

        watch.Restart();
        var written = await PagesAudienceWriter.WriteAsync(new LocalBucket(Path.Combine(partial, "bucket")), segments.Select(s => s.Name).ToList(), sizes.Audiences);
        Console.WriteLine($"  {written.Files:N0} audience state files in {watch.Elapsed.TotalSeconds:0.0} s: {written.Posted:N0} adtech exports posted, "
            + $"{written.Failed:N0} failed, {written.NeverPosted:N0} never posted; {written.Unparseable} unparseable files");

        watch.Restart();
        await using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            await connection.OpenAsync();
            await PagesJobWriter.WriteAsync(connection, sizes.Jobs, sizes.Rules, PagesAudienceWriter.Names(sizes.Audiences));
        }

        Console.WriteLine($"  {sizes.Jobs:N0} finished jobs in {watch.Elapsed.TotalSeconds:0.0} s");
        SqliteConnection.ClearAllPools();
        await File.WriteAllTextAsync(Path.Combine(partial, ReadyMarker), DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        Directory.Move(partial, sizes.Folder);
        Console.WriteLine($"fixture ready in {sizes.Folder}");
        return 0;
    }

    /// <summary>
    /// The refresh benchmark's file of these sizes copied (it takes minutes to build and is reused by both benchmarks);
    /// when it is missing, the customers are loaded straight into this fixture's file.
    /// </summary>
    private static async Task CustomersAsync(Sizes sizes, string database)
    {
        var shared = Path.Combine(Path.GetTempPath(), "portal-bench", $"refresh-{sizes.Users}-{sizes.Transactions}.db");
        if (sizes.Users > 0 && File.Exists(shared) && !File.Exists(shared + "-wal"))
        {
            Console.WriteLine($"  copying {shared} ({new FileInfo(shared).Length / 1024.0 / 1024.0:N0} MiB)");
            File.Copy(shared, database);
            return;
        }

        var factory = await BenchDatabase.MigratedAsync(database);
        if (sizes.Users > 0)
        {
            Console.WriteLine($"  loading {sizes.Users:N0} users and {sizes.Transactions:N0} transactions ({shared} is missing)");
            var generator = new DemoDataGenerator(DemoDataGenerator.EndFor(TimeProvider.System));
            await new CustomerDataLoader(factory).LoadAsync(generator, sizes.Users, sizes.Transactions);
        }
    }
}
