using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A temporary folder (the bucket's and the SQLite file's home), deleted afterwards, and the test's own database: a
/// SQLite file in the folder, or with <see cref="TestDatabase.Provider"/> PostgreSQL a database of its own in the
/// throwaway cluster test.sh starts, dropped afterwards.
/// </summary>
public sealed class TestFolder : IDisposable
{
    private readonly string? _postgresDatabase;

    public TestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "portal-tests-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
        if (Provider == DatabaseProvider.PostgreSql)
        {
            _postgresDatabase = TestDatabase.CreatePostgreSqlDatabase();
        }
    }

    public string Path { get; }

    /// <summary>The provider the test's database is on (<see cref="TestDatabase.Provider"/>).</summary>
    public DatabaseProvider Provider { get; } = TestDatabase.Provider;

    public string DatabaseFile => System.IO.Path.Combine(Path, "portal.db");

    public string ConnectionString => _postgresDatabase is { } name ? TestDatabase.PostgreSqlConnectionString(name) : $"Data Source={DatabaseFile}";

    /// <summary>The configuration that points the portal at this database: the provider and its connection string.</summary>
    public IReadOnlyDictionary<string, string?> DatabaseSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = Provider.ToString(),
        [Provider == DatabaseProvider.PostgreSql ? "ConnectionStrings:PostgreSQL" : "ConnectionStrings:Sqlite"] = ConnectionString,
    };

    /// <summary>A context on the folder's database, for a test to read or set rows while no host runs on it.</summary>
    public PortalDbContext OpenDb()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.Use(Provider, ConnectionString);
        return new PortalDbContext(options.Options);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (_postgresDatabase is { } name)
        {
            TestDatabase.DropPostgreSqlDatabase(name);
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
