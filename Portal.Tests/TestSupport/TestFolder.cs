using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Tests.TestSupport;

/// <summary>A temporary folder with a real SQLite database file in it, deleted afterwards.</summary>
public sealed class TestFolder : IDisposable
{
    public TestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "portal-tests-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string DatabaseFile => System.IO.Path.Combine(Path, "portal.db");

    public string ConnectionString => $"Data Source={DatabaseFile}";

    /// <summary>A context on the folder's database, for a test to read or set rows while no host runs on it.</summary>
    public PortalDbContext OpenDb()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.Use(DatabaseProvider.Sqlite, ConnectionString);
        return new PortalDbContext(options.Options);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
