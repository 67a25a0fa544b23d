using Npgsql;
using NpgsqlTypes;

namespace Portal.Core.Customers;

public sealed partial class CustomerDataLoader
{
    /// <summary>
    /// PostgreSQL: the three tables emptied and refilled by binary <c>COPY</c> in one transaction (all or nothing, as on
    /// the other providers), then analyzed so the planner sees the new sizes. Secondary indexes and foreign keys are
    /// dropped before the copy and made again after it, inside the transaction: maintained row by row (and the foreign
    /// key checked by a trigger per row) they made the copy several times slower than building them once.
    /// </summary>
    private static async Task<LoadResult> LoadPostgreSqlAsync(string connectionString, DemoDataGenerator generator, int users, long cc, long upi,
        Tracker tracker, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var truncate = new NpgsqlCommand($"TRUNCATE {string.Join(", ", Tables)}", connection, transaction))
        {
            await truncate.ExecuteNonQueryAsync(cancellationToken);
        }

        tracker.Start();
        var rebuild = await DropIndexesAndForeignKeysAsync(connection, transaction, cancellationToken);
        await CopyAsync(connection, "users (user_id, name, email, phone, zip_code, city, city_tier, created_at)", "users", generator.Customers(users), users,
            (w, c) =>
            {
                w.Write(c.UserId, NpgsqlDbType.Bigint);
                w.Write(c.Name, NpgsqlDbType.Varchar);
                w.Write(c.Email, NpgsqlDbType.Varchar);
                WriteNullable(w, c.Phone);
                WriteNullable(w, c.ZipCode);
                w.Write(c.City, NpgsqlDbType.Varchar);
                w.Write(c.CityTier, NpgsqlDbType.Integer);
                w.Write(c.CreatedAt, NpgsqlDbType.TimestampTz);
            }, tracker, cancellationToken);
        await CopyAsync(connection, "credit_card_transactions (transaction_id, user_id, amount, merchant, category, transaction_date)", "credit_card_transactions",
            generator.CreditCardTransactions(cc, users), cc,
            (w, t) => WriteTransaction(w, t.TransactionId, t.UserId, t.Amount, t.Merchant, t.Category, t.TransactionDate), tracker, cancellationToken);
        await CopyAsync(connection, "upi_transactions (transaction_id, user_id, amount, description, category, transaction_date)", "upi_transactions",
            generator.UpiTransactions(upi, users), upi,
            (w, t) => WriteTransaction(w, t.TransactionId, t.UserId, t.Amount, t.Description, t.Category, t.TransactionDate), tracker, cancellationToken);

        var indexStart = tracker.Elapsed;
        for (var i = 0; i < rebuild.Count; i++)
        {
            tracker.Report("indexes", i, rebuild.Count);
            await using var command = new NpgsqlCommand(rebuild[i], connection, transaction) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        tracker.Report("indexes", rebuild.Count, rebuild.Count);

        await transaction.CommitAsync(cancellationToken);
        await using (var analyze = new NpgsqlCommand($"ANALYZE {string.Join(", ", Tables)}", connection))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        return new LoadResult(users, cc, upi, indexStart, tracker.Elapsed - indexStart);
    }

    /// <summary>
    /// Drops the three tables' indexes that back no constraint and their foreign keys; returns the statements that make
    /// them again (indexes first, then the keys, each validated by one query over the table).
    /// </summary>
    private static async Task<List<string>> DropIndexesAndForeignKeysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        const string catalog = """
            SELECT 'index', t.relname, i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(@tables)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            UNION ALL
            SELECT 'key', t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(@tables)
            """;
        var found = new List<(string Kind, string Table, string Name, string Definition)>();
        await using (var command = new NpgsqlCommand(catalog, connection, transaction))
        {
            command.Parameters.AddWithValue("tables", Tables);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }

        var rebuild = new List<string> { "SET LOCAL maintenance_work_mem = '256MB'" };
        foreach (var (kind, table, name, definition) in found.OrderBy(f => f.Kind == "index"))
        {
            var drop = kind == "index" ? $"DROP INDEX {Quote(name)}" : $"ALTER TABLE {Quote(table)} DROP CONSTRAINT {Quote(name)}";
            await using var command = new NpgsqlCommand(drop, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        rebuild.AddRange(found.Where(f => f.Kind == "index").Select(f => f.Definition));
        rebuild.AddRange(found.Where(f => f.Kind == "key").Select(f => $"ALTER TABLE {Quote(f.Table)} ADD CONSTRAINT {Quote(f.Name)} {f.Definition}"));
        return rebuild;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// One table's rows through one binary COPY. Rows are written synchronously (Npgsql buffers them and sends a full
    /// buffer at a time): awaiting each value cost a third of the client's time on this path.
    /// </summary>
    private static async Task CopyAsync<T>(NpgsqlConnection connection, string target, string table, IEnumerable<T> rows, long count,
        Action<NpgsqlBinaryImporter, T> write, Tracker tracker, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {target} FROM STDIN (FORMAT BINARY)", cancellationToken);
        long done = 0;
        var sinceReport = 0;
        foreach (var row in rows)
        {
            importer.StartRow();
            write(importer, row);
            done++;
            if (++sinceReport == 50_000)
            {
                cancellationToken.ThrowIfCancellationRequested();
                tracker.Advance(table, sinceReport, done, count);
                sinceReport = 0;
            }
        }

        await importer.CompleteAsync(cancellationToken);
        if (sinceReport > 0)
        {
            tracker.Advance(table, sinceReport, done, count);
        }
    }

    /// <summary>A card or UPI payment: the two tables differ only in the name of their merchant column.</summary>
    private static void WriteTransaction(NpgsqlBinaryImporter w, long id, long userId, decimal amount, string merchant, string category, DateTime date)
    {
        w.Write(id, NpgsqlDbType.Bigint);
        w.Write(userId, NpgsqlDbType.Bigint);
        w.Write(amount, NpgsqlDbType.Numeric);
        w.Write(merchant, NpgsqlDbType.Varchar);
        w.Write(category, NpgsqlDbType.Varchar);
        w.Write(date, NpgsqlDbType.TimestampTz);
    }

    private static void WriteNullable(NpgsqlBinaryImporter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.Write(value, NpgsqlDbType.Varchar);
        }
    }
}
