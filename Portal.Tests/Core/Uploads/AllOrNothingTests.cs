using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>A failure anywhere leaves every stored file and row as it was: staging first, then the move and one transaction.</summary>
public sealed class AllOrNothingTests : DatabaseTest
{
    private static async Task<(List<string> Files, int Transactions, int Users, List<(string, ImportStatus)> Catalog, long RowsKeptToday, List<string> Revenues)> StateAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        return (await FilesAsync(host, DatasetFiles.DatasetsFolder),
            await db.CreditCardTransactions.CountAsync(),
            await db.Customers.CountAsync(),
            (await db.ImportedFiles.AsNoTracking().OrderBy(f => f.Id).ToListAsync()).Select(f => (f.FileName, f.Status)).ToList(),
            await db.DatasetHealthDays.SumAsync(d => d.RowsKept),
            (await db.CampaignRevenues.AsNoTracking().OrderBy(r => r.CampaignId).ThenBy(r => r.BannerId).ToListAsync())
                .Select(r => $"{r.CampaignId}/{r.BannerId}/{r.Quarter}: {r.Revenue} {r.Clicks}").ToList());
    }

    [Fact]
    public async Task Import_TypeErrorAfterRowGroupsWereWritten_KeepsNothing()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));
        await host.ImportedAsync("credit_card_transactions", null, "first.csv", Csv(CardHeader, Card(1, 1, 10m), Card(2, 2, 20m)));
        var before = await StateAsync(host);
        var big = new StringBuilder(CardHeader).Append('\n');
        for (var i = 1; i <= 150_000; i++)
        {
            big.Append(Card(10 + i, 1 + (i % 2), 1.25m)).Append('\n');
        }

        big.Append("150011,1,oops,Uploaded Air,Travel,2026-10-10 12:00:00\n").Append(Card(150_012, 1, 3m)).Append('\n');
        var progress = new List<ImportProgress>();
        var path = await PutAsync(host, "uploads/incoming/big.csv", Encoding.UTF8.GetBytes(big.ToString()));

        var file = await host.Get<DatasetImporter>().ImportAsync(new ImportRequest("credit_card_transactions", null, "big.csv", path, "marketer@tests.local",
            ImportSource.Upload), (p, _) => { progress.Add(p); return Task.CompletedTask; });

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Equal("line 150002, column 3 (\"amount\"): 'oops' is not a valid Decimal", file.Error);
        Assert.True(progress.Count(p => p.Stage == "Reading") >= 9, "reading reported progress as it went");
        Assert.Contains(progress, p => p.RowsRead > 100_000 && p.BytesRead > 0 && p.BytesTotal > p.BytesRead);
        var after = await StateAsync(host);
        Assert.Equal(before.Files, after.Files);
        Assert.Equal((2, 2), (after.Transactions, after.Users));
        Assert.Equal([.. before.Catalog, ("big.csv", ImportStatus.Rejected)], after.Catalog);
        Assert.Equal(before.RowsKeptToday, after.RowsKeptToday);
        Assert.Empty(await FilesAsync(host, DatasetFiles.StagingFolder));
    }

    [Fact]
    public async Task Import_DatabaseFailsAfterRowsWereLoaded_RollsBackAndRemovesTheStoredFile()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));
        var before = await StateAsync(host);
        await using (var db = await host.DbAsync())
        {
            // The catalog row is the transaction's last insert: the users are already in the table when it fails.
            await FailureTriggers.CreateAsync(db, "fail_import", "imported_files", "injected failure", when: "NEW.status = 'Imported'");
        }

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.ImportAsync("users", null, "more.csv", Csv(UsersHeader, User(3), User(4), User(5))));

        Assert.Contains("injected failure", ex.ToString(), StringComparison.Ordinal);
        var after = await StateAsync(host);
        Assert.Equal(before.Files, after.Files);
        Assert.Equal(2, after.Users);
        Assert.Equal([.. before.Catalog, ("more.csv", ImportStatus.Failed)], after.Catalog);
        Assert.Equal(before.RowsKeptToday, after.RowsKeptToday);
        Assert.Empty(await FilesAsync(host, DatasetFiles.StagingFolder));
        var failed = (await CatalogAsync(host)).Last();
        Assert.Contains("injected failure", failed.Error, StringComparison.Ordinal);
        Assert.Null(failed.StoredPath);
    }

    [Fact]
    public async Task Import_UserDeletedWhileTheFileWasRead_RejectedAndNothingLoaded()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));
        var path = await PutAsync(host, "uploads/incoming/cards.csv", Csv(CardHeader, Card(10, 1, 5m), Card(11, 2, 6m)));

        // The rows were checked against users while reading; user 2 goes before the commit copies them.
        var file = await host.Get<DatasetImporter>().ImportAsync(new ImportRequest("credit_card_transactions", null, "cards.csv", path, "marketer@tests.local",
            ImportSource.Upload), async (p, ct) =>
            {
                if (p.Stage == "Storing")
                {
                    await using var db = await host.DbAsync();
                    await db.Customers.Where(c => c.UserId == 2).ExecuteDeleteAsync(ct);
                }
            });

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Equal("user_id 2 is no longer in users: it was deleted while the file was imported. Import the file again.", file.Error);
        Assert.Equal("user_id", file.ErrorColumn);
        var after = await StateAsync(host);
        Assert.Equal((0, 1), (after.Transactions, after.Users));
        Assert.Equal(["datasets/users/all/users.parquet"], after.Files);
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task Import_OfRowsIntoATable_LeavesForeignKeysEnforcedOnTheConnectionsAfter()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1)));
        await host.ImportedAsync("credit_card_transactions", null, "cards.csv", Csv(CardHeader, Card(10, 1, 5m)));

        await using var db = await host.DbAsync();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO credit_card_transactions (transaction_id, user_id, amount, merchant, category, transaction_date) VALUES (11, 99, 1, 'M', 'C', '2026-01-01 00:00:00')"));
        Assert.Contains("FOREIGN KEY constraint failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task Import_RejectedAfterItsStageWasMade_LeavesForeignKeysEnforcedOnThePooledConnections()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1)));
        // a user the users table does not have: rejected by the writer, after the stage was made
        var rejected = await host.ImportAsync("credit_card_transactions", null, "cards.csv", Csv(CardHeader, Card(10, 1, 5m), Card(11, 99, 5m)));

        Assert.Equal(ImportStatus.Rejected, rejected.Status);
        Assert.All(await PooledPragmaAsync(host, "foreign_keys"), on => Assert.Equal(1L, on));
    }

    private static async Task<List<string>> IndexesAsync(CoreHost host, string table)
    {
        await using var db = await host.DbAsync();
        return await db.Database.SqlQuery<string>($"SELECT name AS Value FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = {table} ORDER BY name")
            .ToListAsync();
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task Import_BigFileIntoSmallTable_RebuildsTheIndexesAndKeepsThemWhenItFails()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));
        var indexes = await IndexesAsync(host, "credit_card_transactions");
        Assert.Equal(["ix_cc_category_date", "ix_cc_date", "ix_cc_user_date"], indexes);
        string[] Rows(int from) => [.. Enumerable.Range(from, 12_000).Select(i => Card(i, 1 + (i % 2), 2m))];
        await using (var db = await host.DbAsync())
        {
            // Fails halfway through the inserts: the indexes have been dropped and not yet built again.
            await FailureTriggers.CreateAsync(db, "fail_insert", "credit_card_transactions", "injected failure", when: "NEW.transaction_id = 6000");
        }

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.ImportAsync("credit_card_transactions", null, "fails.csv", Csv(CardHeader, Rows(1))));
        Assert.Contains("injected failure", ex.Message, StringComparison.Ordinal);
        var afterFailure = await IndexesAsync(host, "credit_card_transactions");
        var imported = await host.ImportedAsync("credit_card_transactions", null, "works.csv", Csv(CardHeader, Rows(20_001)));

        Assert.Equal(indexes, afterFailure);
        Assert.Equal(ImportStatus.Failed, (await CatalogAsync(host)).Single(f => f.FileName == "fails.csv").Status);
        Assert.Equal(12_000, imported.RowsKept);
        Assert.Equal(indexes, await IndexesAsync(host, "credit_card_transactions"));
        await using var check = await host.DbAsync();
        Assert.Equal(12_000, await check.CreditCardTransactions.CountAsync(t => t.Category == "Travel" && t.TransactionDate > new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.All(await PooledPragmaAsync(host, "threads"), threads => Assert.Equal(0L, threads)); // the index builds' helper threads are not left on
    }

    /// <summary>A SQLite pragma's value on every connection the pool hands out (a few at once, so the import's is among them).</summary>
    private static async Task<List<long>> PooledPragmaAsync(CoreHost host, string pragma)
    {
        var contexts = new List<PortalDbContext>();
        var settings = new List<long>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var db = await host.DbAsync();
                contexts.Add(db);
                await db.Database.OpenConnectionAsync();
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = $"PRAGMA {pragma}";
                settings.Add((long)(await command.ExecuteScalarAsync())!);
            }
        }
        finally
        {
            foreach (var db in contexts)
            {
                await db.DisposeAsync();
            }
        }

        return settings;
    }

    [Fact]
    public async Task Import_AggregateUpdateFails_LeavesTheAggregateAndFilesAsTheyWere()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("impressions", "2024-Q1", "i.csv", Csv("banner_id,campaign_id", "1,100", "2,100"));
        await host.ImportedAsync("clicks", "2024-Q1", "c1.csv", Csv("click_id,banner_id,campaign_id", "1,1,100"));
        var before = await StateAsync(host);
        await using (var db = await host.DbAsync())
        {
            await FailureTriggers.CreateAsync(db, "fail_revenues", "campaign_revenues", "injected failure");
        }

        await Assert.ThrowsAnyAsync<Exception>(() => host.ImportAsync("clicks", "2024-Q1", "c2.csv", Csv("click_id,banner_id,campaign_id", "2,2,100")));

        var after = await StateAsync(host);
        Assert.Equal(["100/1/2024-Q1: 0 1", "100/2/2024-Q1: 0 0"], after.Revenues);
        Assert.Equal(before.Revenues, after.Revenues);
        Assert.Equal(before.Files, after.Files);
        Assert.Equal([.. before.Catalog, ("c2.csv", ImportStatus.Failed)], after.Catalog);
    }
}
