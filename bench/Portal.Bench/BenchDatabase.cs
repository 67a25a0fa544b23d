using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Bench;

/// <summary>The benchmarks' databases: SQLite files with the portal's migrations, in WAL mode as the portal runs them.</summary>
internal static class BenchDatabase
{
    public static Factory Factory(string database)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.Use(DatabaseProvider.Sqlite, $"Data Source={database}");
        return new Factory(options.Options);
    }

    public static async Task<Factory> MigratedAsync(string database)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var factory = Factory(database);
        await using var db = factory.CreateDbContext();
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        return factory;
    }
}
