using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Injects a database failure: a trigger that aborts inserts into a table (those whose row meets <c>when</c>, written
/// with <c>NEW.column</c>), with a message, in the dialect of the test's provider. Names, condition and message are the
/// tests' own constants.
/// </summary>
public static class FailureTriggers
{
    public static Task CreateAsync(PortalDbContext db, string name, string table, string message, string? when = null)
    {
        var sql = db.Database.Provider() == DatabaseProvider.PostgreSql
            ? $"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{message}'; END $$; "
              + $"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW {(when is null ? "" : $"WHEN ({when}) ")}EXECUTE FUNCTION {name}();"
            : $"CREATE TRIGGER {name} BEFORE INSERT ON {table} {(when is null ? "" : $"WHEN {when} ")}BEGIN SELECT RAISE(ABORT, '{message}'); END;";
        return db.Database.ExecuteSqlRawAsync(sql);
    }

    public static Task DropAsync(PortalDbContext db, string name, string table)
    {
        var sql = db.Database.Provider() == DatabaseProvider.PostgreSql ? $"DROP TRIGGER {name} ON {table}" : $"DROP TRIGGER {name}";
        return db.Database.ExecuteSqlRawAsync(sql);
    }
}
