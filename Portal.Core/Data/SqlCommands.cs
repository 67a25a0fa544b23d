using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portal.Core.Data;

/// <summary>
/// Compiled SQL (segment rules) run on a context's own connection and transaction, its values bound as parameters.
/// </summary>
public static class SqlCommands
{
    public static async Task<DbCommand> CommandAsync(this PortalDbContext db, string sql, IEnumerable<(string Name, object? Value)> parameters,
        CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandTimeout = db.Database.GetCommandTimeout() ?? 120;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (value is DateTime && command is Microsoft.Data.SqlClient.SqlCommand)
            {
                // SQL Server's datetime would round to 1/300 s; the columns are datetime2. (Npgsql infers timestamptz
                // from a UTC DateTime, and DateTime2 would make it a timestamp without time zone.)
                parameter.DbType = DbType.DateTime2;
            }

            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static async Task<int> ExecuteAsync(this PortalDbContext db, string sql, IEnumerable<(string Name, object? Value)> parameters,
        CancellationToken cancellationToken)
    {
        await using var command = await db.CommandAsync(sql, parameters, cancellationToken);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
