using System.Globalization;
using System.Data;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Portal.Core.Audiences;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// Loads a staged Parquet file's rows into the dataset's table on SQL Server or PostgreSQL, inside the caller's
/// transaction (so the catalog row, the health counters and the rows commit together, or none of them): SqlBulkCopy
/// with constraints checked, or binary COPY. On SQLite the import's <see cref="SqliteTableStage"/> loads the same file through SQLite's C API. Columns are the schema's,
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

        if (db.Database.IsNpgsql())
        {
            return await CopyAsync((NpgsqlConnection)db.Database.GetDbConnection(), bucket, path, schema, table, cancellationToken);
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

    /// <summary>PostgreSQL: binary COPY on the transaction's connection (constraints are checked as rows arrive).</summary>
    private static async Task<long> CopyAsync(NpgsqlConnection connection, IBucket bucket, string path, DatasetSchema schema, string table,
        CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", schema.Columns.Select(c => c.Name));
        var types = await ColumnTypesAsync(connection, table, schema, cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        long loaded = 0;
        await DatasetFiles.ReadAsync(bucket, path, schema, null, async (values, count) =>
        {
            for (var r = 0; r < count; r++)
            {
                await importer.StartRowAsync(cancellationToken);
                for (var c = 0; c < values.Length; c++)
                {
                    var value = DbValue(schema.Columns[c], values[c]!.Value(r));
                    if (value is DBNull)
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                    else
                    {
                        await importer.WriteAsync(types[c] == NpgsqlDbType.Integer ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : value, types[c], cancellationToken);
                    }
                }
            }

            loaded += count;
        }, cancellationToken);
        await importer.CompleteAsync(cancellationToken);
        return loaded;
    }

    /// <summary>The table's own column types: binary COPY takes each value in exactly its column's type (city_tier is an integer, not a bigint).</summary>
    private static async Task<NpgsqlDbType[]> ColumnTypesAsync(NpgsqlConnection connection, string table, DatasetSchema schema, CancellationToken cancellationToken)
    {
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table", connection))
        {
            command.Parameters.AddWithValue("table", table);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                byName[reader.GetString(0)] = reader.GetString(1);
            }
        }

        return schema.Columns.Select(c => byName.GetValueOrDefault(c.Name) switch
        {
            "integer" => NpgsqlDbType.Integer,
            "bigint" => NpgsqlDbType.Bigint,
            "numeric" => NpgsqlDbType.Numeric,
            "double precision" => NpgsqlDbType.Double,
            "date" => NpgsqlDbType.Date,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz,
            "character varying" or "text" => NpgsqlDbType.Text,
            var other => throw new InvalidOperationException($"Column {table}.{c.Name} has type '{other ?? "(missing)"}', which an upload cannot load."),
        }).ToArray();
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
