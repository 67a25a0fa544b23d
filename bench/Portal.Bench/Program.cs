using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Customers;
using Portal.Core.Data;

// Benchmarks that print figures and assert nothing:
//   dotnet run -c Release --project bench/Portal.Bench -- [load] [--users N] [--transactions N]   demo-data load into SQLite
//   dotnet run -c Release --project bench/Portal.Bench -- export [--members N]                   hash + batch + POST to the sandbox
//   dotnet run -c Release --project bench/Portal.Bench -- catalog [--files N]                    a catalog pass over N state files
//   dotnet run -c Release --project bench/Portal.Bench -- index [--files N]                      the audience index: first fill, reconciles
//   dotnet run -c Release --project bench/Portal.Bench -- refresh [--file F] [--users N] [--transactions N] [--runs N]
//                                                                     a segment refresh vs the same query by hand, and its estimate
//   dotnet run -c Release --project bench/Portal.Bench -- lineage [--rules N] [--runs N] [--timeout S]
//                                                                     navigation to an interactive lineage graph in Chromium:
//                                                                     a generated one of ~2,000 nodes (N rules), and the demo graph
//   dotnet run -c Release --project bench/Portal.Bench -- lineage-layout [--rules N] [--runs N]
//                                                                     the generated lineage laid out by MSAGL and by GraphShape
//   dotnet run -c Release --project bench/Portal.Bench -- sync [--members N]                     a mirror sync where 5 % changed, to a no-op target
//   dotnet run -c Release --project bench/Portal.Bench -- pages [--audiences N] [--rules N] [--users N] [--transactions N] [--jobs N] [--runs N] [--size demo|big|both]
//                                                                     every page timed in Chromium, on the demo data and on a big installation
// The export benchmark starts this program again for its parts: export-prepare, sandbox, export-phases, export-upload;
// the sync benchmark for sync-prepare, sync-seed, sync-run; the page benchmark for pages-prepare.
switch (args)
{
    case ["export", ..]: return await Portal.Bench.ExportBench.RunAsync(args[1..]);
    case ["export-prepare", ..]: return await Portal.Bench.ExportBench.PrepareAsync(args[1..]);
    case ["export-phases", ..]: return await Portal.Bench.ExportBench.PhasesAsync(args[1..]);
    case ["export-upload", ..]: return await Portal.Bench.ExportBench.UploadAsync(args[1..]);
    case ["export-seeded", ..]: return await Portal.Bench.ExportBench.SeededAsync(args[1..]);
    case ["sandbox"]: return await Portal.Bench.SandboxProcess.ServeAsync();
    case ["sync", ..]: return await Portal.Bench.SyncBench.RunAsync(args[1..]);
    case ["sync-prepare", ..]: return await Portal.Bench.SyncBench.PrepareAsync(args[1..]);
    case ["sync-seed", ..]: return await Portal.Bench.SyncBench.SeedAsync(args[1..]);
    case ["sync-run", ..]: return await Portal.Bench.SyncBench.RunSyncAsync(args[1..]);
    case ["pages", ..]: return await Portal.Bench.PagesBench.RunAsync(args[1..]);
    case ["pages-prepare", ..]: return await Portal.Bench.PagesBench.PrepareAsync(args[1..]);
}

if (args is ["catalog", ..])
{
    return await Portal.Bench.CatalogBench.RunAsync(args[1..]);
}

if (args is ["index", ..])
{
    return await Portal.Bench.IndexBench.RunAsync(args[1..]);
}

if (args is ["lineage-layout", ..])
{
    return await Portal.Bench.LineageLayoutBench.RunAsync(args[1..]);
}

if (args is ["lineage-prepare", ..])
{
    return await Portal.Bench.LineageBench.PrepareAsync(args[1..]);
}

if (args is ["uploads", ..])
{
    return await Portal.Bench.UploadBench.RunAsync(args[1..]);
}

if (args is ["lineage", ..])
{
    return await Portal.Bench.LineageBench.RunAsync(args[1..]);
}

if (args is ["refresh", ..])
{
    return await Portal.Bench.RefreshBench.RunAsync(args[1..]);
}

if (args is ["load", ..])
{
    args = args[1..];
}

var users = 1_000_000;
long transactions = 10_000_000;
string? postgreSql = null;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--users": users = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--transactions": transactions = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--postgresql": postgreSql = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var folder = Path.Combine(Path.GetTempPath(), "portal-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(folder);
var file = Path.Combine(folder, "bench.db");
try
{
    // SQLite: a new file; PostgreSQL (--postgresql "<connection string>"): an empty database given, loaded by binary COPY.
    var options = new DbContextOptionsBuilder<PortalDbContext>();
    options.Use(postgreSql is null ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql, postgreSql ?? $"Data Source={file}", commandTimeoutSeconds: 600);
    var factory = new Factory(options.Options);
    await using (var db = factory.CreateDbContext())
    {
        await db.Database.MigrateAsync();
        if (postgreSql is null)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
    }

    Console.WriteLine($"Demo-data load benchmark: {users:N0} users, {transactions:N0} transactions into {(postgreSql is null ? "SQLite" : "PostgreSQL")} ({Environment.ProcessorCount} cores)");

    // Generation alone, to separate it from the inserts.
    var generator = new DemoDataGenerator(DemoDataGenerator.EndFor(TimeProvider.System));
    var (cc, upi) = DemoDataGenerator.Split(transactions);
    var genWatch = Stopwatch.StartNew();
    long generated = 0;
    foreach (var _ in generator.CreditCardTransactions(Math.Min(cc, 2_000_000), users))
    {
        generated++;
    }

    Console.WriteLine($"generation only: {generated / genWatch.Elapsed.TotalSeconds,12:N0} rows/s (card transactions, {generated:N0} rows)");

    var lastTable = "";
    var result = await new CustomerDataLoader(factory).LoadAsync(generator, users, transactions, new InlineProgress<LoadProgress>(p =>
    {
        if (p.Table != lastTable && p.Table != "indexes")
        {
            lastTable = p.Table;
        }
    }));
    Console.WriteLine($"users:                  {result.Users,12:N0} rows");
    Console.WriteLine($"credit_card_transactions:{result.CreditCardTransactions,11:N0} rows");
    Console.WriteLine($"upi_transactions:       {result.UpiTransactions,12:N0} rows");
    Console.WriteLine($"insert time:            {result.InsertTime.TotalSeconds,12:0.0} s");
    Console.WriteLine($"insert throughput:      {result.RowsPerSecond,12:N0} rows/s   (target >= {(postgreSql is null ? "300,000" : "500,000")})");
    Console.WriteLine($"index rebuild + ANALYZE:{result.IndexTime.TotalSeconds,12:0.0} s");
    var total = result.InsertTime + result.IndexTime;
    Console.WriteLine($"end to end:             {result.Rows / total.TotalSeconds,12:N0} rows/s   ({total.TotalSeconds:0.0} s)");
    if (postgreSql is null)
    {
        Console.WriteLine($"database file:          {new FileInfo(file).Length / 1024.0 / 1024.0,12:N0} MiB");
    }
    else
    {
        await using var db = factory.CreateDbContext();
        var bytes = await db.Database.SqlQueryRaw<long>("SELECT pg_database_size(current_database()) AS \"Value\"").SingleAsync();
        Console.WriteLine($"database size:          {bytes / 1024.0 / 1024.0,12:N0} MiB");
    }
    return 0;
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

internal sealed class Factory(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext() => new(options);
}
