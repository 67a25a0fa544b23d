using Microsoft.EntityFrameworkCore;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>Rows dropped and counted: duplicates in the file, missing required values, keys already stored.</summary>
public sealed class DeduplicationTests : DatabaseTest
{
    [Fact]
    public async Task Import_DuplicateRowsInFile_DroppedAndCounted()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await host.ImportedAsync("conversions", "2024-Q1", "conv.csv", Csv("conversion_id,click_id,revenue",
            "1,10,2.5", "2,11,1.0", "1,10,2.50", "3,12,4", "2,11,1", "1,10,2.5"));

        Assert.Equal((6L, 3L, 3L, 0L, 0L), (file.RowsIn, file.RowsKept, file.DroppedDuplicate, file.DroppedMissing, file.DroppedExistingKey));
        Assert.Equal([1L, 2L, 3L], await StoredInt64Async(host, file.StoredPath!, "conversion_id"));
        Assert.Matches("^[0-9a-f]{64}$", file.Checksum);
    }

    [Fact]
    public async Task Import_SameKeyDifferentValues_KeepsTheFirstRowOfTheFile()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await host.ImportedAsync("clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "1,5,9", "1,6,9", "2,5,9"));

        Assert.Equal((3L, 2L, 0L, 1L), (file.RowsIn, file.RowsKept, file.DroppedDuplicate, file.DroppedExistingKey));
        Assert.Equal([5L, 5L], await StoredInt64Async(host, file.StoredPath!, "banner_id"));
    }

    [Fact]
    public async Task Import_MissingRequiredValues_DroppedAndCountedOptionalOnesKept()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader,
            "1,Asha,asha@example.com,,,Pune,1,2025-01-01",
            "2,,ravi@example.com,+919800000002,411001,Pune,2,2025-01-01",
            "3,Meera,meera@example.com,+919800000003,411001,  ,2,2025-01-01",
            "4,Kiran,kiran@example.com,+919800000004,,Mumbai,1,"));

        Assert.Equal((4L, 1L, 3L, 0L), (file.RowsIn, file.RowsKept, file.DroppedMissing, file.DroppedDuplicate));
        Assert.Equal(6L, file.MissingValues);
        await using var db = await host.DbAsync();
        var kept = await db.Customers.SingleAsync();
        Assert.Equal((1L, "", ""), (kept.UserId, kept.Phone, kept.ZipCode));
    }

    [Fact]
    public async Task Import_TwoFilesSamePartition_SecondDropsKeysAlreadyStored()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("impressions", "2024-Q1", "a.csv", Csv("banner_id,campaign_id", "1,1", "2,1", "3,1"));

        var second = await host.ImportedAsync("impressions", "2024-Q1", "b.csv", Csv("banner_id,campaign_id", "2,1", "3,1", "3,2", "4,1", "4,1"));
        var otherQuarter = await host.ImportedAsync("impressions", "2024-Q2", "c.csv", Csv("banner_id,campaign_id", "1,1", "2,1"));

        Assert.Equal((5L, 2L, 2L, 1L), (second.RowsIn, second.RowsKept, second.DroppedExistingKey, second.DroppedDuplicate));
        Assert.Equal([3L, 4L], await StoredInt64Async(host, second.StoredPath!, "banner_id"));
        Assert.Equal([2L, 1L], await StoredInt64Async(host, second.StoredPath!, "campaign_id"));
        Assert.Equal((2L, 0L), (otherQuarter.RowsKept, otherQuarter.DroppedExistingKey));
    }

    [Fact]
    public async Task Import_UsersAlreadyInTheTable_DroppedAsExistingKeys()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true);
        await using (var db = await host.DbAsync())
        {
            Assert.True(await db.Customers.AnyAsync(c => c.UserId == 1), "the demo data has user 1");
        }

        var file = await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(900_001), User(2)));

        Assert.Equal((3L, 1L, 2L), (file.RowsIn, file.RowsKept, file.DroppedExistingKey));
        await using var check = await host.DbAsync();
        Assert.Equal("Uploaded 900001", (await check.Customers.SingleAsync(c => c.UserId == 900_001)).Name);
        Assert.NotEqual("Uploaded 1", (await check.Customers.SingleAsync(c => c.UserId == 1)).Name);
    }

    [Fact]
    public async Task Import_TwoTransactionFiles_SecondDropsTransactionsAlreadyInTheTable()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1)));
        await host.ImportedAsync("upi_transactions", null, "a.csv", Csv(UpiHeader, "1,1,5.00,Shop,Food,2026-01-01", "2,1,6.00,Shop,Food,2026-01-02"));

        var second = await host.ImportedAsync("upi_transactions", null, "b.csv", Csv(UpiHeader,
            "2,1,7.00,Other,Food,2026-01-03", "3,1,8.00,Shop,Food,2026-01-04"));

        Assert.Equal((2L, 1L, 1L), (second.RowsIn, second.RowsKept, second.DroppedExistingKey));
        await using var db = await host.DbAsync();
        Assert.Equal([5m, 6m, 8m], await db.UpiTransactions.OrderBy(t => t.TransactionId).Select(t => t.Amount).ToListAsync());
    }

    [Fact]
    public async Task Import_AllRowsAlreadyStored_IsImportedWithNothingKept()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("clicks", "2024-Q1", "a.csv", Csv("click_id,banner_id,campaign_id", "1,1,1"));

        var again = await host.ImportedAsync("clicks", "2024-Q1", "b.csv", Csv("click_id,banner_id,campaign_id", "1,1,1"));

        Assert.Equal((1L, 0L, 1L), (again.RowsIn, again.RowsKept, again.DroppedExistingKey));
        Assert.Empty(await StoredInt64Async(host, again.StoredPath!, "click_id"));
    }
}
