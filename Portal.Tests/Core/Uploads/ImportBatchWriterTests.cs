using Microsoft.EntityFrameworkCore;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>
/// The writer's stage names a row it rejects by the reader's line and by the column as the file has it, which is not
/// the schema's order when the header lists the columns otherwise.
/// </summary>
public sealed class ImportBatchWriterTests : DatabaseTest
{
    [Fact]
    public async Task Import_UnknownUserWithColumnsReordered_NamesTheFilesColumn()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Uploads:RowGroupSize"] = "2" });
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1)));

        var file = await host.ImportAsync("credit_card_transactions", null, "card.csv", Csv("amount,merchant,category,transaction_date,transaction_id,user_id",
            "5.00,Shop,Food,2026-01-01,10,1", "6.00,Shop,Food,2026-01-01,11,1", "7.00,Shop,Food,2026-01-01,12,99"));

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Equal("line 4, column 6 (\"user_id\"): 99 is not in users; import the users first.", file.Error);
        Assert.Equal((4L, "user_id"), (file.ErrorLine!.Value, file.ErrorColumn));
        await using var db = await host.DbAsync();
        Assert.Equal(0, await db.CreditCardTransactions.CountAsync());
    }

    [Fact]
    public async Task Import_RowsOverSeveralBatches_CountsWhatTheWriterKeptAndDropped()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Uploads:RowGroupSize"] = "3" });
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));
        await host.ImportedAsync("credit_card_transactions", null, "first.csv", Csv(CardHeader, Card(1, 1, 1m), Card(2, 2, 2m)));

        var file = await host.ImportedAsync("credit_card_transactions", null, "second.csv",
            Csv(CardHeader, Card(1, 1, 1.5m), Card(3, 1, 3m), Card(4, 2, 4m), Card(2, 2, 2.5m), Card(5, 1, 5m), Card(6, 2, 6m), Card(7, 1, 7m)));

        // keys 1 and 2 are in the table already (the writer's drops); the other five are kept over three row groups
        Assert.Equal((7L, 5L, 0L, 0L, 2L), (file.RowsIn, file.RowsKept, file.DroppedDuplicate, file.DroppedMissing, file.DroppedExistingKey));
        await using var db = await host.DbAsync();
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], await db.CreditCardTransactions.OrderBy(t => t.TransactionId).Select(t => t.TransactionId).ToListAsync());
    }
}
