using Microsoft.Extensions.Configuration;

namespace Portal.Core.Data;

/// <summary>The resolved database configuration: provider, connection string, or what is wrong with them.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, DatabaseOptions Options, string? ConfigurationError)
{
    public static DatabaseSettings From(IConfiguration configuration, string contentRoot)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (!options.TryGetProvider(out var provider, out var error))
        {
            return new DatabaseSettings(DatabaseProvider.Sqlite, "", options, error);
        }

        if (provider == DatabaseProvider.Sqlite)
        {
            return new DatabaseSettings(provider, DatabaseOptions.ResolveSqlite(configuration.GetConnectionString("Sqlite"), contentRoot), options, null);
        }

        var key = provider == DatabaseProvider.PostgreSql ? "PostgreSQL" : "SqlServer";
        var connectionString = configuration.GetConnectionString(key);
        return string.IsNullOrWhiteSpace(connectionString)
            ? new DatabaseSettings(provider, "", options,
                $"Configuration error: Database:Provider is '{key}' but ConnectionStrings:{key} is empty. Set it (for example with the environment variable ConnectionStrings__{key}).")
            : new DatabaseSettings(provider, connectionString, options, null);
    }

    /// <summary>Where the data lives, for messages: never the password.</summary>
    public string Describe()
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            return $"SQLite file {new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource}";
        }

        if (Provider == DatabaseProvider.PostgreSql)
        {
            var pg = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            return $"PostgreSQL {pg.Host}:{pg.Port}, database {pg.Database}";
        }

        var csb = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(ConnectionString);
        return $"SQL Server {csb.DataSource}, database {csb.InitialCatalog}";
    }
}
