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
/// transactions with the secondary indexes dropped and rebuilt after; on PostgreSQL binary COPY; on SQL Server SqlBulkCopy. Generation runs on
/// another thread than the inserts.
/// </summary>
public sealed partial class CustomerDataLoader(IDbContextFactory<PortalDbContext> dbFactory)
{
    private static readonly string[] Tables = ["upi_transactions", "credit_card_transactions", "users"];
    private const int RowsPerStatement = 100;

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
        DatabaseProvider provider;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("No connection string.");
            provider = db.Database.Provider();
        }

        var (cc, upi) = DemoDataGenerator.Split(transactions);
        var tracker = new Tracker(users + cc + upi, progress);
        return provider switch
        {
            DatabaseProvider.Sqlite => await LoadSqliteAsync(connectionString, generator, users, cc, upi, tracker, cancellationToken),
            DatabaseProvider.PostgreSql => await LoadPostgreSqlAsync(connectionString, generator, users, cc, upi, tracker, cancellationToken),
            _ => await LoadSqlServerAsync(connectionString, generator, users, cc, upi, tracker, cancellationToken),
        };
    }

    private static async Task<LoadResult> LoadSqliteAsync(string connectionString, DemoDataGenerator generator, int users, long cc, long upi,
        Tracker tracker, CancellationToken cancellationToken)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = false };
        await using var connection = new SqliteConnection(csb.ToString());
        await connection.OpenAsync(cancellationToken);
        // Statements stepped through the C API wait for another connection's lock like Microsoft.Data.Sqlite's do.
        SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, 30_000);
        await ExecAsync(connection, null, "PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-262144;", cancellationToken);

        // One transaction for the whole replace: a load that fails (or is cancelled) leaves every table as it was.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        var indexes = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.Transaction = transaction;
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
                await ExecAsync(connection, transaction, $"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken);
            }
        }

        foreach (var table in Tables)
        {
            await ExecAsync(connection, transaction, $"DELETE FROM {table}", cancellationToken);
        }

        tracker.Start();
        await InsertSqliteAsync(connection, "users", ["user_id", "name", "email", "phone", "zip_code", "city", "city_tier", "created_at"], users,
            generator.Customers(users), static (c, row) =>
            {
                row.Int(0, c.UserId); row.Text(1, c.Name); row.Text(2, c.Email); row.Text(3, c.Phone);
                row.Text(4, c.ZipCode); row.PooledText(5, c.City); row.Int(6, c.CityTier); row.Date(7, c.CreatedAt);
            }, tracker, cancellationToken);
        await InsertSqliteAsync(connection, "credit_card_transactions", ["transaction_id", "user_id", "amount", "merchant", "category", "transaction_date"], cc,
            generator.CreditCardTransactions(cc, users), static (t, row) =>
            {
                row.Int(0, t.TransactionId); row.Int(1, t.UserId); row.Real(2, (double)t.Amount); row.PooledText(3, t.Merchant);
                row.PooledText(4, t.Category); row.Date(5, t.TransactionDate);
            }, tracker, cancellationToken);
        await InsertSqliteAsync(connection, "upi_transactions", ["transaction_id", "user_id", "amount", "description", "category", "transaction_date"], upi,
            generator.UpiTransactions(upi, users), static (t, row) =>
            {
                row.Int(0, t.TransactionId); row.Int(1, t.UserId); row.Real(2, (double)t.Amount); row.PooledText(3, t.Description);
                row.PooledText(4, t.Category); row.Date(5, t.TransactionDate);
            }, tracker, cancellationToken);
        var insertTime = tracker.Elapsed;

        var indexWatch = Stopwatch.StartNew();
        tracker.Report("indexes", 0, indexes.Count);
        for (var i = 0; i < indexes.Count; i++)
        {
            await ExecAsync(connection, transaction, indexes[i], cancellationToken);
            tracker.Report("indexes", i + 1, indexes.Count);
        }

        // Planner statistics from a sample of each index, not every row.
        await ExecAsync(connection, transaction, "PRAGMA analysis_limit=1000; ANALYZE users; ANALYZE credit_card_transactions; ANALYZE upi_transactions;", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // The connection goes back to the pool: give it back with SQLite's usual durability and memory settings.
        await ExecAsync(connection, null, "PRAGMA synchronous=FULL; PRAGMA temp_store=DEFAULT; PRAGMA cache_size=-2000; PRAGMA analysis_limit=0;", cancellationToken);
        return new LoadResult(users, cc, upi, insertTime, indexWatch.Elapsed);
    }

    private static async Task InsertSqliteAsync<T>(SqliteConnection connection, string table, string[] columns, long count, IEnumerable<T> rows,
        Action<T, SqliteRow> bind, Tracker tracker, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        // Generation on a second thread, inserts on this one. If the inserts stop (an error), the generator is
        // cancelled too, so it never waits forever on a full channel.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
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
                        await channel.Writer.WriteAsync(batch, stop.Token);
                        batch = new T[RowsPerStatement];
                        n = 0;
                    }
                }

                if (n > 0)
                {
                    await channel.Writer.WriteAsync(batch[..n], stop.Token);
                }

                channel.Writer.Complete();
            }
#pragma warning disable CA1031 // handed to the reader, which rethrows it
            catch (Exception ex)
#pragma warning restore CA1031
            {
                channel.Writer.Complete(ex);
            }
        }, stop.Token);

        // Values are bound straight through SQLite's C API (SQLitePCLRaw, the library under Microsoft.Data.Sqlite):
        // per-parameter ADO.NET objects cost more than the insert itself at this volume. Still parameters, never pasted text.
        using var full = new SqliteRow(connection, table, columns, RowsPerStatement);
        long done = 0;
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken))
            {
                var statement = batch.Length == RowsPerStatement ? full : new SqliteRow(connection, table, columns, batch.Length);
                try
                {
                    for (var i = 0; i < batch.Length; i++)
                    {
                        statement.Row = i;
                        bind(batch[i], statement);
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

                done += batch.Length;
                tracker.Advance(table, batch.Length, done, count);
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await producer;
            }
            catch (OperationCanceledException)
            {
                // the generator was stopped because the inserts ended first
            }
        }
    }

    private static async Task<LoadResult> LoadSqlServerAsync(string connectionString, DemoDataGenerator generator, int users, long cc, long upi,
        Tracker tracker, CancellationToken cancellationToken)
    {
        await using var connection = new SqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // As on SQLite, the replace is all or nothing.
        await using var transaction = (SqlTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var table in Tables)
        {
            await using var delete = new SqlCommand($"DELETE FROM [{table}]", connection, transaction) { CommandTimeout = 0 };
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        tracker.Start();
        await BulkCopyAsync(connection, transaction, "users", generator.Customers(users), users,
            [("user_id", typeof(long)), ("name", typeof(string)), ("email", typeof(string)), ("phone", typeof(string)), ("zip_code", typeof(string)), ("city", typeof(string)), ("city_tier", typeof(int)), ("created_at", typeof(DateTime))],
            c => [c.UserId, c.Name, c.Email, c.Phone, c.ZipCode, c.City, c.CityTier, c.CreatedAt], tracker, cancellationToken);
        await BulkCopyAsync(connection, transaction, "credit_card_transactions", generator.CreditCardTransactions(cc, users), cc,
            [("transaction_id", typeof(long)), ("user_id", typeof(long)), ("amount", typeof(decimal)), ("merchant", typeof(string)), ("category", typeof(string)), ("transaction_date", typeof(DateTime))],
            t => [t.TransactionId, t.UserId, t.Amount, t.Merchant, t.Category, t.TransactionDate], tracker, cancellationToken);
        await BulkCopyAsync(connection, transaction, "upi_transactions", generator.UpiTransactions(upi, users), upi,
            [("transaction_id", typeof(long)), ("user_id", typeof(long)), ("amount", typeof(decimal)), ("description", typeof(string)), ("category", typeof(string)), ("transaction_date", typeof(DateTime))],
            t => [t.TransactionId, t.UserId, t.Amount, t.Description, t.Category, t.TransactionDate], tracker, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new LoadResult(users, cc, upi, tracker.Elapsed, TimeSpan.Zero);
    }

    private static async Task BulkCopyAsync<T>(SqlConnection connection, SqlTransaction transaction, string table, IEnumerable<T> rows, long count,
        (string Name, Type Type)[] columns, Func<T, object[]> values, Tracker tracker, CancellationToken cancellationToken)
    {
        using var data = new DataTable(table);
        foreach (var (name, type) in columns)
        {
            data.Columns.Add(name, type);
        }

        using var bulk = new SqlBulkCopy(connection, SqlBulkCopyOptions.TableLock, transaction) { DestinationTableName = table, BulkCopyTimeout = 0 };
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

    private static async Task ExecAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
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
