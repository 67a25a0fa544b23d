using Npgsql;
using Portal.Core.Data;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Which database the integration tests run on: SQLite unless <c>PORTAL_TEST_PROVIDER=PostgreSql</c>, in which case
/// <c>PORTAL_TEST_POSTGRESQL</c> is the connection string of the throwaway cluster test.sh starts
/// (scripts/throwaway-postgres.sh). Each test gets a database of its own there.
/// </summary>
public static class TestDatabase
{
    public static DatabaseProvider Provider { get; } =
        Enum.TryParse<DatabaseProvider>(Environment.GetEnvironmentVariable("PORTAL_TEST_PROVIDER"), ignoreCase: true, out var p) ? p : DatabaseProvider.Sqlite;

    private static string Server => Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRESQL") is { Length: > 0 } cs
        ? cs
        : throw new InvalidOperationException("PORTAL_TEST_PROVIDER is PostgreSql but PORTAL_TEST_POSTGRESQL is not set: run the tests through ./test.sh, which starts the cluster.");

    public static string PostgreSqlConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(Server) { Database = database, IncludeErrorDetail = true }.ConnectionString;

    public static string CreatePostgreSqlDatabase()
    {
        var name = "portal_test_" + Guid.NewGuid().ToString("N")[..12];
        using var connection = new NpgsqlConnection(Server);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        create.ExecuteNonQuery();
        return name;
    }

    public static void DropPostgreSqlDatabase(string name)
    {
        using (var pooled = new NpgsqlConnection(PostgreSqlConnectionString(name)))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        using var connection = new NpgsqlConnection(Server);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }
}
