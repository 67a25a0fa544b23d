using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Portal.Core.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Data;

public sealed class MigrationsTests : DatabaseTest
{
    private static PortalDbContext Context(DatabaseProvider provider, string connectionString)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.Use(provider, connectionString);
        return new PortalDbContext(options.Options);
    }

    private static PortalDbContext SqlServer() =>
        Context(DatabaseProvider.SqlServer, "Server=unreachable.invalid;Database=Portal;User Id=x;Password=y;TrustServerCertificate=true");

    [Fact]
    public async Task Migrations_ApplyToNewDatabase_CreateEveryModelTable()
    {
        await using var db = Folder.OpenDb();
        await db.Database.MigrateAsync();

        var tables = (await db.Database.SqlQueryRaw<string>(Folder.Provider == DatabaseProvider.PostgreSql
                ? "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public'"
                : "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table'").ToListAsync()).ToHashSet();
        foreach (var table in ModelTables(db))
        {
            Assert.Contains(table, tables);
        }

        Assert.Contains("users", tables);
        Assert.Contains("credit_card_transactions", tables);
        Assert.Contains("upi_transactions", tables);
        Assert.Contains("jobs", tables);
        Assert.Contains("audit_log", tables);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public void SqlServerCreateScript_GeneratedOffline_NamesEveryTable()
    {
        using var db = SqlServer();
        var script = db.Database.GenerateCreateScript();
        var migrationScript = db.GetService<IMigrator>().GenerateScript();
        foreach (var table in ModelTables(db))
        {
            Assert.Contains($"CREATE TABLE [{table}]", script, StringComparison.Ordinal);
            Assert.Contains($"CREATE TABLE [{table}]", migrationScript, StringComparison.Ordinal);
        }

        Assert.Contains("[amount] decimal(18,2) NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX [ix_cc_user_date] ON [credit_card_transactions] ([user_id], [transaction_date])", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.SqlServer)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void Model_ComparedToItsProvidersMigrations_HasNoPendingChanges(DatabaseProvider provider)
    {
        // No server is contacted: the model is compared with the provider's migrations project.
        using var db = provider switch
        {
            DatabaseProvider.Sqlite => Context(provider, SqliteFile),
            DatabaseProvider.PostgreSql => Context(provider, "Host=unreachable.invalid;Database=portal;Username=x"),
            _ => SqlServer(),
        };
        Assert.False(db.Database.HasPendingModelChanges(), $"Add a migration for {provider}: the model has changed since the last one.");
    }

    [Fact]
    public void Indexes_ForSegmentQueries_ExistOnTransactionTables()
    {
        using var db = Context(DatabaseProvider.Sqlite, SqliteFile);
        var indexes = db.Model.GetEntityTypes().SelectMany(e => e.GetIndexes()).Select(i => i.GetDatabaseName()).ToHashSet();
        Assert.Subset(indexes, new HashSet<string?> { "ix_cc_user_date", "ix_upi_user_date", "ix_cc_category_date", "ix_upi_category_date", "ix_users_city_tier" });
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("")]
    [InlineData("sqlite3")]
    public void Settings_UnknownProvider_ReportsKeyValueAndChoices(string provider)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = provider }).Build();
        var settings = DatabaseSettings.From(configuration, Folder.Path);
        Assert.NotNull(settings.ConfigurationError);
        Assert.Contains($"Database:Provider is '{provider}'", settings.ConfigurationError, StringComparison.Ordinal);
        Assert.Contains("'Sqlite'", settings.ConfigurationError, StringComparison.Ordinal);
        Assert.Contains("'SqlServer'", settings.ConfigurationError, StringComparison.Ordinal);
        Assert.Contains("'PostgreSQL'", settings.ConfigurationError, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_PostgreSqlWithoutConnectionString_SaysWhichKeyToSet()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = "PostgreSQL" }).Build();
        var settings = DatabaseSettings.From(configuration, Folder.Path);
        Assert.Equal(DatabaseProvider.PostgreSql, settings.Provider);
        Assert.Contains("ConnectionStrings:PostgreSQL is empty", settings.ConfigurationError, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_PostgreSql_DescribesHostAndDatabaseWithoutThePassword()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL",
            ["ConnectionStrings:PostgreSQL"] = "Host=db.internal;Port=5433;Database=portal;Username=portal;Password=not-shown-Secret1",
        }).Build();
        var settings = DatabaseSettings.From(configuration, Folder.Path);
        Assert.Null(settings.ConfigurationError);
        Assert.Equal("PostgreSQL db.internal:5433, database portal", settings.Describe());
        Assert.True(settings.Options.ShouldMigrate(settings.Provider));
    }

    [Fact]
    public void Settings_SqlServerWithoutConnectionString_SaysWhichKeyToSet()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = "SqlServer" }).Build();
        var settings = DatabaseSettings.From(configuration, Folder.Path);
        Assert.Contains("ConnectionStrings:SqlServer is empty", settings.ConfigurationError, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_RelativeSqlitePath_ResolvesUnderContentRootAndCreatesFolder()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Sqlite"] = "Data Source=nested/app.db" }).Build();
        var settings = DatabaseSettings.From(configuration, Folder.Path);
        Assert.Null(settings.ConfigurationError);
        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        Assert.Contains(Path.Combine(Folder.Path, "nested", "app.db"), settings.ConnectionString, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(Folder.Path, "nested")));
    }

    private string SqliteFile => $"Data Source={Folder.DatabaseFile}";

    private static IEnumerable<string> ModelTables(PortalDbContext db) =>
        db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct();
}
