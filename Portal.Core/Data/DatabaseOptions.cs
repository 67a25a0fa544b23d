using Microsoft.Data.Sqlite;

namespace Portal.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (default), <c>PostgreSQL</c> or <c>SqlServer</c>, as text so that a wrong name can be reported, not thrown.</summary>
    public string Provider { get; set; } = nameof(DatabaseProvider.Sqlite);

    /// <summary>Apply migrations at start-up. Defaults to true for SQLite and false for SQL Server.</summary>
    public bool? MigrateOnStartup { get; set; }

    /// <summary>Load the small demo data set when the <c>users</c> table is empty.</summary>
    public bool SeedDemoData { get; set; } = true;

    /// <summary>
    /// With <see cref="SeedDemoData"/>: the first start (and <c>seed</c>) also imports small files into every upload
    /// dataset, saves the demo rules, refreshes their segments and exports a segment-fed audience to the sandbox
    /// adtechs (<see cref="Demo.DemoStory"/>). Off: the customer tables and the HTTP-fed demo audiences only.
    /// </summary>
    public bool DemoStory { get; set; } = true;

    public int DemoUsers { get; set; } = 10_000;
    public int DemoTransactions { get; set; } = 200_000;

    /// <summary>
    /// When the demo's two years of transactions end (UTC). Empty (the default): the start of the day the demo is
    /// generated, by the portal's clock. Set it only to reproduce a demo exactly, as the tests do.
    /// </summary>
    public DateTime? DemoDataEnd { get; set; }

    /// <summary>Seconds a SQL command may run before it is abandoned.</summary>
    public int CommandTimeoutSeconds { get; set; } = 120;

    /// <summary>Parses <see cref="Provider"/>; the error names the key, the value and what is allowed.</summary>
    public bool TryGetProvider(out DatabaseProvider provider, out string? error)
    {
        if (Enum.TryParse(Provider?.Trim(), ignoreCase: true, out provider) && Enum.IsDefined(provider))
        {
            error = null;
            return true;
        }

        error = $"Configuration error: Database:Provider is '{Provider}', which is not a supported provider. " +
                "Use 'Sqlite' (the embedded default), 'PostgreSQL' (with ConnectionStrings:PostgreSQL) or 'SqlServer' (with ConnectionStrings:SqlServer).";
        return false;
    }

    /// <summary>
    /// SQLite and PostgreSQL migrate on start by default (several instances starting at once are serialized by EF
    /// Core's migration lock); SQL Server's schema is applied from a reviewed script (<c>dotnet ef migrations script</c>).
    /// </summary>
    public bool ShouldMigrate(DatabaseProvider provider) => MigrateOnStartup ?? provider != DatabaseProvider.SqlServer;

    /// <summary>
    /// The SQLite connection string with a relative <c>Data Source</c> resolved against <paramref name="contentRoot"/>,
    /// its folder created.
    /// </summary>
    public static string ResolveSqlite(string? connectionString, string contentRoot)
    {
        var csb = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(connectionString) ? "Data Source=data/portal.db" : connectionString);
        if (!string.IsNullOrEmpty(csb.DataSource) && csb.DataSource != ":memory:" && !Path.IsPathRooted(csb.DataSource))
        {
            csb.DataSource = Path.GetFullPath(Path.Combine(contentRoot, csb.DataSource));
        }

        var folder = Path.GetDirectoryName(csb.DataSource);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        return csb.ToString();
    }
}
