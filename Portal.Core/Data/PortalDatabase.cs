using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Data;

/// <summary>Points a <see cref="DbContextOptionsBuilder"/> at the configured provider and its migrations assembly.</summary>
public static class PortalDatabase
{
    public const string SqliteMigrationsAssembly = "Portal.Migrations.Sqlite";
    public const string SqlServerMigrationsAssembly = "Portal.Migrations.SqlServer";
    public const string PostgreSqlMigrationsAssembly = "Portal.Migrations.PostgreSql";

    public static DbContextOptionsBuilder Use(this DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString, int commandTimeoutSeconds = 120) =>
        provider switch
        {
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o
                .MigrationsAssembly(SqliteMigrationsAssembly)
                .CommandTimeout(commandTimeoutSeconds)),
            DatabaseProvider.SqlServer => options.UseSqlServer(connectionString, o => o
                .MigrationsAssembly(SqlServerMigrationsAssembly)
                .CommandTimeout(commandTimeoutSeconds)),
            DatabaseProvider.PostgreSql => options.UseNpgsql(connectionString, o => o
                .MigrationsAssembly(PostgreSqlMigrationsAssembly)
                .CommandTimeout(commandTimeoutSeconds)),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
        };
}
