using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Portal.Core.Data;

/// <summary>Which provider a context runs on, for the SQL the portal writes itself (the rule compiler's dialect).</summary>
public static class DatabaseDialect
{
    public static DatabaseProvider Provider(this DatabaseFacade database) =>
        database.IsSqlite() ? DatabaseProvider.Sqlite
        : database.IsNpgsql() ? DatabaseProvider.PostgreSql
        : DatabaseProvider.SqlServer;
}
