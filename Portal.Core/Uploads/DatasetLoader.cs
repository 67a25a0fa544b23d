using System.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Core.Audiences;
using Portal.Core.Customers;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// Loads a staged Parquet file's rows into the dataset's table, inside the caller's transaction (so the catalog row,
/// the health counters and the rows commit together, or none of them). On SQLite: prepared multi-row INSERTs bound
/// through SQLite's C API, as the demo-data loader does; on SQL Server: SqlBulkCopy with constraints checked. Values
/// are always bound, never pasted into the SQL. Columns are the schema's, which are the table's.
/// </summary>
internal static class DatasetLoader
{
    private const int RowsPerStatement = 100;

    /// <param name="rows">How many rows the file holds (to choose how SQLite's indexes are kept up).</param>
    public static async Task<long> LoadAsync(PortalDbContext db, IBucket bucket, string path, DatasetSchema schema, long rows,
        CancellationToken cancellationToken)
    {
        var table = schema.Table ?? throw new InvalidOperationException($"{schema.Name} is not loaded into a table.");
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Load inside a transaction.");
        var names = schema.Columns.Select(c => c.Name).ToArray();
        if (db.Database.IsSqlite())
        {
            return await LoadSqliteAsync(db, bucket, path, schema, table, names, rows, cancellationToken);
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

    /// <summary>
    /// Rows inserted in random order into secondary indexes are SQLite's bottleneck (45,000 rows/s for a million
    /// transactions with the three indexes in place, the cache thrashing). When the file is big against the table (a
    /// quarter of it or more, and at least 10,000 rows), the table's indexes are dropped, the rows inserted, and the
    /// indexes built again from their own SQL, all inside the transaction, so a failure still leaves them as they were;
    /// otherwise the rows go in with the indexes and a larger page cache for the duration.
    /// </summary>
    private static async Task<long> LoadSqliteAsync(PortalDbContext db, IBucket bucket, string path, DatasetSchema schema, string table, string[] names,
        long rows, CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var stored = await TableLookup.Keys(db, table).LongCountAsync(cancellationToken);
        var rebuild = rows >= 10_000 && rows * 4 >= stored;
        var indexes = new List<(string Name, string Sql)>();
        if (rebuild)
        {
            await using var list = await db.CommandAsync("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = @table",
                [("@table", table)], cancellationToken);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (name, _) in indexes)
        {
            await db.ExecuteAsync($"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", [], cancellationToken);
        }

        await db.ExecuteAsync(rebuild ? "PRAGMA cache_size=-16384;" : "PRAGMA cache_size=-65536;", [], cancellationToken);
        try
        {
            long loaded = 0;
            using var full = new SqliteRow(connection, table, names, RowsPerStatement);
            await DatasetFiles.ReadAsync(bucket, path, schema, null, (columns, count) =>
            {
                for (var start = 0; start < count; start += RowsPerStatement)
                {
                    var n = Math.Min(RowsPerStatement, count - start);
                    var statement = n == RowsPerStatement ? full : new SqliteRow(connection, table, names, n);
                    try
                    {
                        for (var r = 0; r < n; r++)
                        {
                            statement.Row = r;
                            Bind(statement, columns, start + r);
                        }

                        statement.Execute();
                    }
                    finally
                    {
                        if (!ReferenceEquals(statement, full))
                        {
                            statement.Dispose();
                        }
                    }
                }

                loaded += count;
                return Task.CompletedTask;
            }, cancellationToken);

            foreach (var (_, sql) in indexes)
            {
                await db.ExecuteAsync(sql, [], cancellationToken);
            }

            return loaded;
        }
        finally
        {
            // The connection goes back to the pool with SQLite's usual cache.
            await db.ExecuteAsync("PRAGMA cache_size=-2000;", [], CancellationToken.None);
        }
    }

    private static void Bind(SqliteRow statement, ColumnBuffer?[] columns, int row)
    {
        for (var c = 0; c < columns.Length; c++)
        {
            var column = columns[c]!;
            if (column.IsNull(row))
            {
                // The customer tables have no nullable columns: an optional value that is missing is empty text.
                statement.Text(c, "");
                continue;
            }

            switch (column.Column.Type)
            {
                case ColumnType.Int64:
                    statement.Int(c, column.Int64(row));
                    break;
                case ColumnType.Decimal:
                    statement.Real(c, (double)column.Decimal(row));
                    break;
                case ColumnType.Double:
                    statement.Real(c, column.Double(row));
                    break;
                case ColumnType.String:
                    statement.Text(c, column.String(row)!);
                    break;
                case ColumnType.DateTime or ColumnType.Date:
                    statement.Date(c, column.DateTime(row));
                    break;
                default:
                    throw new InvalidOperationException($"Cannot load a {column.Column.Type} column.");
            }
        }
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
