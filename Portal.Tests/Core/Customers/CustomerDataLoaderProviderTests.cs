using Microsoft.EntityFrameworkCore;
using Portal.Core.Customers;
using Portal.Core.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Customers;

/// <summary>The demo load on the suite's database (SQLite, or PostgreSQL's COPY path): rows, indexes and foreign keys.</summary>
public sealed class CustomerDataLoaderProviderTests : DatabaseTest
{
    [Fact]
    public async Task Load_AnyProvider_StoresEveryRowAndKeepsEveryIndexAndForeignKey()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var before = await SchemaObjectsAsync(host);

        var result = await host.Get<CustomerDataLoader>().LoadAsync(DemoDates.Generator(), 800, 12_001);

        await using var db = await host.DbAsync();
        Assert.Equal((800, 7_200, 4_801), (await db.Customers.CountAsync(), await db.CreditCardTransactions.CountAsync(), await db.UpiTransactions.CountAsync()));
        Assert.Equal((800L, 7_200L, 4_801L), (result.Users, result.CreditCardTransactions, result.UpiTransactions));
        Assert.Equal(before, await SchemaObjectsAsync(host));
        Assert.Contains(before, o => o.StartsWith("key ", StringComparison.Ordinal));
        Assert.Contains(before, o => o.StartsWith("index ", StringComparison.Ordinal));

        var expected = DemoDates.Generator().UpiTransactions(4_801, 800).Skip(17).First();
        var stored = await db.UpiTransactions.SingleAsync(t => t.TransactionId == expected.TransactionId);
        Assert.Equal((expected.UserId, expected.Amount, expected.Description, expected.TransactionDate),
            (stored.UserId, stored.Amount, stored.Description, stored.TransactionDate));

        // The foreign key made again after the copy is enforced.
        db.UpiTransactions.Add(new UpiTransaction
        {
            TransactionId = 999_999_999, UserId = 999_999, Amount = 1m, Description = "x", Category = "Travel", TransactionDate = DemoDates.End,
        });
        await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    /// <summary>"index name" and "key name" of the customer tables, from the database's own catalog.</summary>
    private async Task<List<string>> SchemaObjectsAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        var sql = Folder.Provider == DatabaseProvider.PostgreSql
            ? """
              SELECT 'index ' || indexname AS "Value" FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('users', 'credit_card_transactions', 'upi_transactions')
              UNION ALL
              SELECT 'key ' || c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
              WHERE c.contype = 'f' AND t.relname IN ('users', 'credit_card_transactions', 'upi_transactions')
              """
            : """
              SELECT 'index ' || name AS "Value" FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('users', 'credit_card_transactions', 'upi_transactions')
              UNION ALL
              SELECT 'key ' || m.name || '.' || f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND m.name IN ('users', 'credit_card_transactions', 'upi_transactions')
              """;
        return [.. (await db.Database.SqlQueryRaw<string>(sql).ToListAsync()).Order(StringComparer.Ordinal)];
    }
}
