using System.Data;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Customers;

public sealed record LoadProgress(string Table, long Done, long Total, long RowsDone, long RowsTotal, TimeSpan Elapsed)
{
    public double RowsPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : RowsDone / Elapsed.TotalSeconds;
}

public sealed record LoadResult(long Users, long CreditCardTransactions, long UpiTransactions, TimeSpan InsertTime, TimeSpan IndexTime)
{
    public long Rows => Users + CreditCardTransactions + UpiTransactions;
    public double RowsPerSecond => InsertTime.TotalSeconds <= 0 ? 0 : Rows / InsertTime.TotalSeconds;
}

/// <summary>
/// Replaces the customer tables with generated demo data, by bulk insert: on SQLite prepared multi-row INSERTs in large
/// transactions with the secondary indexes dropped and rebuilt after; on SQL Server SqlBulkCopy. Generation runs on
/// another thread than the inserts.
/// </summary>
public sealed class CustomerDataLoader(IDbContextFactory<PortalDbContext> dbFactory)
{
    private static readonly string[] Tables = ["upi_transactions", "credit_card_transactions", "users"];
    private const int RowsPerStatement = 100;
    private const int RowsPerTransaction = 250_000;

    public async Task<LoadResult> LoadAsync(DemoDataGenerator generator, int users, long transactions,
        IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfNegative(transactions);
        if (transactions > 0 && users == 0)
        {
            throw new ArgumentException("Transactions need at least one user.", nameof(transactions));
        }

        string connectionString;
        bool sqlite;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("No connection string.");
            sqlite = db.Database.IsSqlite();
        }

        var (cc, upi) = DemoDataGenerator.Split(transactions);
        var tracker = new Tracker(users + cc + upi, progress);
        return sqlite
            ? await LoadSqliteAsync(connectionString, generator, users, cc, upi, tracker, cancellationToken)
            : await LoadSqlServerAsync(connectionString, generator, users, cc, upi, tracker, cancellationToken);
    }

    private static async Task<LoadResult> LoadSqliteAsync(string connectionString, DemoDataGenerator generator, int users, long cc, long upi,
        Tracker tracker, CancellationToken cancellationToken)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = false, Pooling = false };
        await using var connection = new SqliteConnection(csb.ToString());
        await connection.OpenAsync(cancellationToken);
        await ExecAsync(connection, "PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-262144;", cancellationToken);

        var indexes = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('users', 'credit_card_transactions', 'upi_transactions')";
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            var names = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                names.Add(reader.GetString(0));
                indexes.Add(reader.GetString(1));
            }

            await reader.DisposeAsync();
            foreach (var name in names)
            {
                await ExecAsync(connection, $"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken);
            }
        }

        foreach (var table in Tables)
        {
            await ExecAsync(connection, $"DELETE FROM {table}", cancellationToken);
        }

        tracker.Start();
        await InsertSqliteAsync(connection, "users", ["user_id", "name", "email", "phone", "zip_code", "city", "city_tier", "created_at"], users,
            generator.Customers(users), static (c, p, o) =>
            {
                p[o].Value = c.UserId; p[o + 1].Value = c.Name; p[o + 2].Value = c.Email; p[o + 3].Value = c.Phone;
                p[o + 4].Value = c.ZipCode; p[o + 5].Value = c.City; p[o + 6].Value = c.CityTier; p[o + 7].Value = c.CreatedAt;
            }, tracker, cancellationToken);
        await InsertSqliteAsync(connection, "credit_card_transactions", ["transaction_id", "user_id", "amount", "merchant", "category", "transaction_date"], cc,
            generator.CreditCardTransactions(cc, users), static (t, p, o) =>
            {
                p[o].Value = t.TransactionId; p[o + 1].Value = t.UserId; p[o + 2].Value = (double)t.Amount; p[o + 3].Value = t.Merchant;
                p[o + 4].Value = t.Category; p[o + 5].Value = t.TransactionDate;
            }, tracker, cancellationToken);
        await InsertSqliteAsync(connection, "upi_transactions", ["transaction_id", "user_id", "amount", "description", "category", "transaction_date"], upi,
            generator.UpiTransactions(upi, users), static (t, p, o) =>
            {
                p[o].Value = t.TransactionId; p[o + 1].Value = t.UserId; p[o + 2].Value = (double)t.Amount; p[o + 3].Value = t.Description;
                p[o + 4].Value = t.Category; p[o + 5].Value = t.TransactionDate;
            }, tracker, cancellationToken);
        var insertTime = tracker.Elapsed;

        var indexWatch = Stopwatch.StartNew();
        tracker.Report("indexes", 0, indexes.Count);
        for (var i = 0; i < indexes.Count; i++)
        {
            await ExecAsync(connection, indexes[i], cancellationToken);
            tracker.Report("indexes", i + 1, indexes.Count);
        }

        await ExecAsync(connection, "ANALYZE users; ANALYZE credit_card_transactions; ANALYZE upi_transactions;", cancellationToken);
        return new LoadResult(users, cc, upi, insertTime, indexWatch.Elapsed);
    }

    private static async Task InsertSqliteAsync<T>(SqliteConnection connection, string table, string[] columns, long count, IEnumerable<T> rows,
        Action<T, SqliteParameterCollection, int> bind, Tracker tracker, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        // Generation on a second thread, inserts on this one.
        var channel = Channel.CreateBounded<T[]>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                var batch = new T[RowsPerStatement];
                var n = 0;
                foreach (var row in rows)
                {
                    batch[n++] = row;
                    if (n == RowsPerStatement)
                    {
                        await channel.Writer.WriteAsync(batch, cancellationToken);
                        batch = new T[RowsPerStatement];
                        n = 0;
                    }
                }

                if (n > 0)
                {
                    await channel.Writer.WriteAsync(batch[..n], cancellationToken);
                }

                channel.Writer.Complete();
            }
#pragma warning disable CA1031 // handed to the reader, which rethrows it
            catch (Exception ex)
#pragma warning restore CA1031
            {
                channel.Writer.Complete(ex);
            }
        }, cancellationToken);

        SqliteCommand? full = null;
        var transaction = connection.BeginTransaction();
        long done = 0;
        long inTransaction = 0;
        try
        {
            full = CreateInsert(connection, transaction, table, columns, RowsPerStatement);
            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken))
            {
                var command = batch.Length == RowsPerStatement ? full : CreateInsert(connection, transaction, table, columns, batch.Length);
                command.Transaction = transaction;
                for (var i = 0; i < batch.Length; i++)
                {
                    bind(batch[i], command.Parameters, i * columns.Length);
                }

                command.ExecuteNonQuery();
                if (!ReferenceEquals(command, full))
                {
                    command.Dispose();
                }

                done += batch.Length;
                inTransaction += batch.Length;
                if (inTransaction >= RowsPerTransaction)
                {
                    transaction.Commit();
                    transaction.Dispose();
                    transaction = connection.BeginTransaction();
                    inTransaction = 0;
                }

                tracker.Advance(table, batch.Length, done, count);
            }

            transaction.Commit();
        }
        finally
        {
            transaction.Dispose();
            full?.Dispose();
            await producer;
        }
    }

    private static SqliteCommand CreateInsert(SqliteConnection connection, SqliteTransaction transaction, string table, string[] columns, int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var values = new System.Text.StringBuilder();
        var p = 0;
        for (var r = 0; r < rows; r++)
        {
            values.Append(r == 0 ? "(" : ",(");
            for (var c = 0; c < columns.Length; c++)
            {
                var name = $"@p{p++}";
                values.Append(c == 0 ? name : "," + name);
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            values.Append(')');
        }

        command.CommandText = $"INSERT INTO {table} ({string.Join(",", columns)}) VALUES {values}";
        command.Prepare();
        return command;
    }

    private static async Task<LoadResult> LoadSqlServerAsync(string connectionString, DemoDataGenerator generator, int users, long cc, long upi,
        Tracker tracker, CancellationToken cancellationToken)
    {
        await using var connection = new SqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        foreach (var table in Tables)
        {
            await using var delete = new SqlCommand($"DELETE FROM [{table}]", connection) { CommandTimeout = 0 };
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        tracker.Start();
        await BulkCopyAsync(connection, "users", generator.Customers(users), users,
            [("user_id", typeof(long)), ("name", typeof(string)), ("email", typeof(string)), ("phone", typeof(string)), ("zip_code", typeof(string)), ("city", typeof(string)), ("city_tier", typeof(int)), ("created_at", typeof(DateTime))],
            c => [c.UserId, c.Name, c.Email, c.Phone, c.ZipCode, c.City, c.CityTier, c.CreatedAt], tracker, cancellationToken);
        await BulkCopyAsync(connection, "credit_card_transactions", generator.CreditCardTransactions(cc, users), cc,
            [("transaction_id", typeof(long)), ("user_id", typeof(long)), ("amount", typeof(decimal)), ("merchant", typeof(string)), ("category", typeof(string)), ("transaction_date", typeof(DateTime))],
            t => [t.TransactionId, t.UserId, t.Amount, t.Merchant, t.Category, t.TransactionDate], tracker, cancellationToken);
        await BulkCopyAsync(connection, "upi_transactions", generator.UpiTransactions(upi, users), upi,
            [("transaction_id", typeof(long)), ("user_id", typeof(long)), ("amount", typeof(decimal)), ("description", typeof(string)), ("category", typeof(string)), ("transaction_date", typeof(DateTime))],
            t => [t.TransactionId, t.UserId, t.Amount, t.Description, t.Category, t.TransactionDate], tracker, cancellationToken);
        return new LoadResult(users, cc, upi, tracker.Elapsed, TimeSpan.Zero);
    }

    private static async Task BulkCopyAsync<T>(SqlConnection connection, string table, IEnumerable<T> rows, long count,
        (string Name, Type Type)[] columns, Func<T, object[]> values, Tracker tracker, CancellationToken cancellationToken)
    {
        using var data = new DataTable(table);
        foreach (var (name, type) in columns)
        {
            data.Columns.Add(name, type);
        }

        using var bulk = new SqlBulkCopy(connection, SqlBulkCopyOptions.TableLock, null) { DestinationTableName = table, BulkCopyTimeout = 0 };
        foreach (var (name, _) in columns)
        {
            bulk.ColumnMappings.Add(name, name);
        }

        long done = 0;
        foreach (var row in rows)
        {
            data.Rows.Add(values(row));
            if (data.Rows.Count == 50_000)
            {
                await bulk.WriteToServerAsync(data, cancellationToken);
                done += data.Rows.Count;
                tracker.Advance(table, data.Rows.Count, done, count);
                data.Clear();
            }
        }

        if (data.Rows.Count > 0)
        {
            await bulk.WriteToServerAsync(data, cancellationToken);
            done += data.Rows.Count;
            tracker.Advance(table, data.Rows.Count, done, count);
        }
    }

    private static async Task ExecAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Counts rows and reports progress at most every 100 ms.</summary>
    private sealed class Tracker(long rowsTotal, IProgress<LoadProgress>? progress)
    {
        private readonly Stopwatch _watch = new();
        private long _rows;
        private long _lastReport;

        public TimeSpan Elapsed => _watch.Elapsed;

        public void Start() => _watch.Start();

        public void Advance(string table, int rows, long done, long total)
        {
            _rows += rows;
            if (done == total || _watch.ElapsedMilliseconds - _lastReport >= 100)
            {
                _lastReport = _watch.ElapsedMilliseconds;
                progress?.Report(new LoadProgress(table, done, total, _rows, rowsTotal, _watch.Elapsed));
            }
        }

        public void Report(string step, long done, long total) =>
            progress?.Report(new LoadProgress(step, done, total, _rows, rowsTotal, _watch.Elapsed));
    }
}
