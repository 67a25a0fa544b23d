using Npgsql;
using NpgsqlTypes;

namespace Portal.Core.Customers;

public sealed partial class CustomerDataLoader
{
    /// <summary>
    /// PostgreSQL: the three tables emptied and refilled by binary <c>COPY</c> in one transaction (all or nothing, as on
    /// the other providers), then analyzed so the planner sees the new sizes.
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
        await CopyAsync(connection, "users (user_id, name, email, phone, zip_code, city, city_tier, created_at)", "users", generator.Customers(users), users,
            async (w, c, ct) =>
            {
                await w.WriteAsync(c.UserId, NpgsqlDbType.Bigint, ct);
                await w.WriteAsync(c.Name, NpgsqlDbType.Varchar, ct);
                await w.WriteAsync(c.Email, NpgsqlDbType.Varchar, ct);
                await WriteNullableAsync(w, c.Phone, ct);
                await WriteNullableAsync(w, c.ZipCode, ct);
                await w.WriteAsync(c.City, NpgsqlDbType.Varchar, ct);
                await w.WriteAsync(c.CityTier, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(c.CreatedAt, NpgsqlDbType.TimestampTz, ct);
            }, tracker, cancellationToken);
        await CopyAsync(connection, "credit_card_transactions (transaction_id, user_id, amount, merchant, category, transaction_date)", "credit_card_transactions",
            generator.CreditCardTransactions(cc, users), cc,
            (w, t, ct) => WriteTransactionAsync(w, t.TransactionId, t.UserId, t.Amount, t.Merchant, t.Category, t.TransactionDate, ct), tracker, cancellationToken);
        await CopyAsync(connection, "upi_transactions (transaction_id, user_id, amount, description, category, transaction_date)", "upi_transactions",
            generator.UpiTransactions(upi, users), upi,
            (w, t, ct) => WriteTransactionAsync(w, t.TransactionId, t.UserId, t.Amount, t.Description, t.Category, t.TransactionDate, ct), tracker, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var indexStart = tracker.Elapsed;
        await using (var analyze = new NpgsqlCommand($"ANALYZE {string.Join(", ", Tables)}", connection))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        return new LoadResult(users, cc, upi, indexStart, tracker.Elapsed - indexStart);
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, string target, string table, IEnumerable<T> rows, long count,
        Func<NpgsqlBinaryImporter, T, CancellationToken, Task> write, Tracker tracker, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {target} FROM STDIN (FORMAT BINARY)", cancellationToken);
        long done = 0;
        var sinceReport = 0;
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            await write(importer, row, cancellationToken);
            done++;
            if (++sinceReport == 50_000)
            {
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
    private static async Task WriteTransactionAsync(NpgsqlBinaryImporter w, long id, long userId, decimal amount, string merchant, string category,
        DateTime date, CancellationToken ct)
    {
        await w.WriteAsync(id, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(userId, NpgsqlDbType.Bigint, ct);
        await w.WriteAsync(amount, NpgsqlDbType.Numeric, ct);
        await w.WriteAsync(merchant, NpgsqlDbType.Varchar, ct);
        await w.WriteAsync(category, NpgsqlDbType.Varchar, ct);
        await w.WriteAsync(date, NpgsqlDbType.TimestampTz, ct);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, CancellationToken cancellationToken) =>
        value is null ? writer.WriteNullAsync(cancellationToken) : writer.WriteAsync(value, NpgsqlDbType.Varchar, cancellationToken);
}
