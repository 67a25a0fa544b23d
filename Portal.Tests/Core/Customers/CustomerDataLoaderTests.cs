using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Customers;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Customers;

[Trait("Database", "SqliteOnly")] // the SQLite path itself (its key stage, pragmas, index rebuild); PostgreSQL has its own
public sealed class CustomerDataLoaderTests : DatabaseTest
{
    [Fact]
    public async Task Load_IntoSqlite_InsertsEveryRowKeepsIndexesAndReportsProgress()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var indexesBefore = await IndexNamesAsync();
        var reports = new List<LoadProgress>();

        var result = await host.Get<CustomerDataLoader>().LoadAsync(DemoDates.Generator(), 1200, 30_001, new InlineProgress<LoadProgress>(reports.Add));

        Assert.Equal(1200, result.Users);
        Assert.Equal(18_000, result.CreditCardTransactions);
        Assert.Equal(12_001, result.UpiTransactions);
        await using var db = await host.DbAsync();
        Assert.Equal(1200, await db.Customers.CountAsync());
        Assert.Equal(18_000, await db.CreditCardTransactions.CountAsync());
        Assert.Equal(12_001, await db.UpiTransactions.CountAsync());
        Assert.Equal(indexesBefore, await IndexNamesAsync());
        Assert.Contains(reports, r => r.Table == "users" && r.Done == 1200);
        Assert.Equal(result.Rows, reports.Where(r => r.Table != "indexes").Max(r => r.RowsDone));

        // What EF reads back is what the generator made (types, dates and amounts survive the raw bulk insert).
        var expected = DemoDates.Generator().CreditCardTransactions(18_000, 1200).Skip(41).First();
        var stored = await db.CreditCardTransactions.SingleAsync(t => t.TransactionId == expected.TransactionId);
        Assert.Equal(expected.Amount, stored.Amount);
        Assert.Equal(expected.TransactionDate, stored.TransactionDate);
        Assert.Equal(expected.Merchant, stored.Merchant);
        Assert.Equal(DateTimeKind.Utc, stored.TransactionDate.Kind);
    }

    [Fact]
    public async Task Load_Twice_ReplacesRatherThanAppends()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var loader = host.Get<CustomerDataLoader>();
        await loader.LoadAsync(DemoDates.Generator(), 300, 3000);
        await loader.LoadAsync(DemoDates.Generator(5), 100, 1000);
        await using var db = await host.DbAsync();
        Assert.Equal(100, await db.Customers.CountAsync());
        Assert.Equal(1000, await db.CreditCardTransactions.CountAsync() + await db.UpiTransactions.CountAsync());
    }

    [Fact]
    public async Task Load_TransactionsWithoutUsers_IsRefusedBeforeTouchingData()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var loader = host.Get<CustomerDataLoader>();
        await loader.LoadAsync(DemoDates.Generator(), 10, 100);
        await Assert.ThrowsAsync<ArgumentException>(() => loader.LoadAsync(DemoDates.Generator(), 0, 100));
        await using var db = await host.DbAsync();
        Assert.Equal(10, await db.Customers.CountAsync());
    }

    [Fact]
    public async Task Load_FailingHalfWay_ThrowsAndLeavesThePreviousDataAndIndexes()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var loader = host.Get<CustomerDataLoader>();
        await loader.LoadAsync(DemoDates.Generator(), 300, 3000);
        var indexes = await IndexNamesAsync();
        await ExecAsync("CREATE TRIGGER fail_half_way BEFORE INSERT ON users WHEN NEW.user_id = 15000 BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;");

        var ex = await Assert.ThrowsAsync<SqliteException>(() => loader.LoadAsync(DemoDates.Generator(9), 20_000, 1000).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("disk on fire", ex.Message, StringComparison.Ordinal);

        await using var db = await host.DbAsync();
        Assert.Equal(300, await db.Customers.CountAsync());
        Assert.Equal(3000, await db.CreditCardTransactions.CountAsync() + await db.UpiTransactions.CountAsync());
        Assert.Equal(indexes, await IndexNamesAsync());
    }

    private async Task ExecAsync(string sql)
    {
        await using var connection = new SqliteConnection(Folder.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<string>> IndexNamesAsync()
    {
        await using var connection = new SqliteConnection(Folder.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL ORDER BY name";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
