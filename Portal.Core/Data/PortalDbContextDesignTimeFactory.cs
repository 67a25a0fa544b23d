using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Portal.Core.Data;

/// <summary>
/// Used by <c>dotnet ef</c> only: <c>-- --provider Sqlite|SqlServer|PostgreSql</c> picks the provider (and so the migrations
/// project). No database is contacted to add a migration or script one.
/// </summary>
public sealed class PortalDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var name = "Sqlite";
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] is "--provider" or "-p")
            {
                name = args[i + 1];
            }
        }

        var options = new DatabaseOptions { Provider = name };
        if (!options.TryGetProvider(out var provider, out var error))
        {
            throw new ArgumentException(error);
        }

        var connectionString = provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=design-time.db",
            DatabaseProvider.PostgreSql => "Host=localhost;Database=portal;Username=portal",
            _ => "Server=localhost;Database=Portal;Integrated Security=true;TrustServerCertificate=true",
        };
        var builder = new DbContextOptionsBuilder<PortalDbContext>();
        builder.Use(provider, connectionString);
        return new PortalDbContext(builder.Options);
    }
}
