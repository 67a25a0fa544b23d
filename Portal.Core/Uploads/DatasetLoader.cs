using System.Data;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Core.Audiences;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// Loads a staged Parquet file's rows into the dataset's table on SQL Server, inside the caller's transaction (so the
/// catalog row, the health counters and the rows commit together, or none of them): SqlBulkCopy with constraints
/// checked. On SQLite the import's <see cref="SqliteTableStage"/> loads the same file through SQLite's C API. Columns are the schema's,
/// which are the table's.
/// </summary>
internal static class DatasetLoader
{
    public static async Task<long> LoadAsync(PortalDbContext db, IBucket bucket, string path, DatasetSchema schema, CancellationToken cancellationToken)
    {
        var table = schema.Table ?? throw new InvalidOperationException($"{schema.Name} is not loaded into a table.");
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Load inside a transaction.");
        if (db.Database.IsSqlite())
        {
            throw new InvalidOperationException("On SQLite the import's SqliteTableStage loads the rows.");
        }

        var sql = (SqlConnection)db.Database.GetDbConnection();
        using var bulk = new SqlBulkCopy(sql, SqlBulkCopyOptions.CheckConstraints, (SqlTransaction)transaction.GetDbTransaction())
        {
            DestinationTableName = table,
            BulkCopyTimeout = 0,
        };
        using var data = new DataTable(table) { Locale = System.Globalization.CultureInfo.InvariantCulture };
        foreach (var column in schema.Columns)
        {
            data.Columns.Add(column.Name, ClrType(column));
            bulk.ColumnMappings.Add(column.Name, column.Name);
        }

        long loaded = 0;
        await DatasetFiles.ReadAsync(bucket, path, schema, null, async (columns, count) =>
        {
            data.Clear();
            var values = new object?[columns.Length];
            for (var r = 0; r < count; r++)
            {
                for (var c = 0; c < columns.Length; c++)
                {
                    values[c] = DbValue(schema.Columns[c], columns[c]!.Value(r));
                }

                data.Rows.Add(values);
            }

            await bulk.WriteToServerAsync(data, cancellationToken);
            loaded += count;
        }, cancellationToken);
        return loaded;
    }

    private static Type ClrType(DatasetColumn column) => column.Type switch
    {
        ColumnType.Int64 => typeof(long),
        ColumnType.Decimal => typeof(decimal),
        ColumnType.Double => typeof(double),
        ColumnType.String => typeof(string),
        _ => typeof(DateTime),
    };

    private static object DbValue(DatasetColumn column, object? value) => value switch
    {
        null when column.Type == ColumnType.String => "",
        null => DBNull.Value,
        DateOnly date => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        _ => value,
    };
}
