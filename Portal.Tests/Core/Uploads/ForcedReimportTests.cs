using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>A forced re-import replaces the earlier file of that name: its rows, its Parquet file and the aggregate, all or nothing, audited.</summary>
public sealed class ForcedReimportTests : DatabaseTest
{
    private static async Task<ImportedFile> ReimportAsync(CoreHost host, string dataset, string? partition, string fileName, byte[] content)
    {
        var path = await PutAsync(host, $"{DatasetFiles.UploadsFolder}/{Guid.NewGuid():N}.csv", content);
        return await host.Get<DatasetImporter>().ImportAsync(
            new ImportRequest(dataset, partition, fileName, path, CoreHost.Marketer.Identity!.Name!, ImportSource.Upload, Force: true));
    }

    private static async Task<List<(long Id, decimal Amount)>> CardsAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        return (await db.CreditCardTransactions.AsNoTracking().OrderBy(t => t.TransactionId).ToListAsync()).Select(t => (t.TransactionId, t.Amount)).ToList();
    }

    private static async Task SeedAsync(CoreHost host)
    {
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2), User(3)));
        await host.ImportedAsync("credit_card_transactions", null, "other.csv", Csv(CardHeader, Card(100, 3, 9m)));
        await host.ImportedAsync("credit_card_transactions", null, "cards.csv", Csv(CardHeader, Card(1, 1, 10m), Card(2, 2, 20m)));
    }

    [Fact]
    public async Task Reimport_Forced_ReplacesTheEarlierFilesRowsAndParquetAndIsAudited()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedAsync(host);
        var earlier = (await CatalogAsync(host)).Last();

        var file = await ReimportAsync(host, "credit_card_transactions", null, "cards.csv", Csv(CardHeader, Card(2, 2, 22m), Card(3, 1, 30m), Card(100, 1, 1m)));

        Assert.True(file.Status == ImportStatus.Imported, file.Error);
        // Key 2 belonged to the file replaced: taken again; key 100 is another file's: still dropped as already stored.
        Assert.Equal((3L, 2L, 1L), (file.RowsIn, file.RowsKept, file.DroppedExistingKey));
        Assert.Equal([(2, 22m), (3, 30m), (100, 9m)], await CardsAsync(host));
        var catalog = await CatalogAsync(host);
        var replaced = catalog.Single(f => f.Id == earlier.Id);
        Assert.Equal((ImportStatus.Replaced, null), (replaced.Status, replaced.StoredPath));
        Assert.Equal(ImportStatus.Imported, catalog.Single(f => f.FileName == "cards.csv" && f.Id != earlier.Id).Status);
        var stored = await FilesAsync(host, "datasets/credit_card_transactions");
        Assert.DoesNotContain(earlier.StoredPath, stored);
        Assert.Contains(file.StoredPath, stored);
        Assert.Equal([2L, 3L], await StoredInt64Async(host, file.StoredPath!, "transaction_id"));
        await using var db = await host.DbAsync();
        var audit = await db.AuditLog.AsNoTracking().SingleAsync(a => a.Action == "upload.reimported");
        Assert.Equal((CoreHost.Marketer.Identity!.Name, "credit_card_transactions/cards.csv"), (audit.Actor, audit.Target));
        Assert.Equal($"2 rows of import {earlier.Id} (all) replaced by 2 rows of 3 read", audit.Details);
    }

    [Fact]
    public async Task Reimport_WithoutForce_IsRefusedAsBefore()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedAsync(host);

        var file = await host.ImportAsync("credit_card_transactions", null, "cards.csv", Csv(CardHeader, Card(5, 1, 50m)));

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.StartsWith("A file named 'cards.csv' was already imported", file.Error, StringComparison.Ordinal);
        Assert.Equal([(1, 10m), (2, 20m), (100, 9m)], await CardsAsync(host));
    }

    [Fact]
    public async Task Reimport_FailsInTheCommit_LeavesTheOldRowsAndParquet()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedAsync(host);
        var files = await FilesAsync(host, DatasetFiles.DatasetsFolder);
        await using (var db = await host.DbAsync())
        {
            // The new catalog row is the transaction's last insert: the old rows are deleted and the new ones loaded when it fails.
            await FailureTriggers.CreateAsync(db, "fail_import", "imported_files", "injected failure", when: "NEW.status = 'Imported'");
        }

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => ReimportAsync(host, "credit_card_transactions", null, "cards.csv", Csv(CardHeader, Card(7, 1, 70m))));

        Assert.Contains("injected failure", ex.ToString(), StringComparison.Ordinal);
        Assert.Equal([(1, 10m), (2, 20m), (100, 9m)], await CardsAsync(host));
        Assert.Equal(files, await FilesAsync(host, DatasetFiles.DatasetsFolder));
        var catalog = await CatalogAsync(host);
        Assert.Equal(ImportStatus.Imported, catalog.Single(f => f.FileName == "cards.csv" && f.Status != ImportStatus.Failed).Status);
        await using var check = await host.DbAsync();
        Assert.False(await check.AuditLog.AnyAsync(a => a.Action == "upload.reimported"));
    }

    [Fact]
    public async Task Reimport_UsersStillPaidWith_IsRejectedAndKeepsThem()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedAsync(host);

        var file = await ReimportAsync(host, "users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Equal("user_id 3 is in users.csv but not in the new file, and credit_card_transactions still refers to it; nothing was replaced.", file.Error);
        await using var db = await host.DbAsync();
        Assert.Equal([1L, 2L, 3L], await db.Customers.OrderBy(c => c.UserId).Select(c => c.UserId).ToListAsync());
        Assert.Equal(ImportStatus.Imported, (await CatalogAsync(host)).First(f => f.FileName == "users.csv").Status);
    }

    [Fact]
    public async Task Reimport_Clicks_RecomputesTheQuartersAggregateWithoutTheEarlierFile()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("impressions", "2024-Q1", "impressions.csv", Csv("banner_id,campaign_id", "1,100", "2,100"));
        await host.ImportedAsync("clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "11,1,100", "12,1,100", "13,2,100"));
        await host.ImportedAsync("conversions", "2024-Q1", "conversions.csv", Csv("conversion_id,click_id,revenue", "21,11,1.5", "22,13,4"));

        var file = await ReimportAsync(host, "clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "11,2,100", "12,1,100"));

        Assert.Equal((ImportStatus.Imported, 2L), (file.Status, file.RowsKept));
        await using var db = await host.DbAsync();
        var revenues = (await db.CampaignRevenues.AsNoTracking().OrderBy(r => r.BannerId).ToListAsync()).Select(r => (r.BannerId, r.Revenue, r.Clicks));
        Assert.Equal([(1L, 0.0, 1L), (2L, 1.5, 1L)], revenues);
        Assert.Single(await FilesAsync(host, "datasets/clicks/2024-Q1"));
    }

    [Fact]
    public async Task Reimport_IntoAnotherPartition_IsRejected()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "11,1,100"));

        var file = await ReimportAsync(host, "clicks", "2024-Q2", "clicks.csv", Csv("click_id,banner_id,campaign_id", "11,1,100"));

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Equal("'clicks.csv' was imported into 2024-Q1: a re-import replaces it there, not in 2024-Q2.", file.Error);
    }

    [Fact]
    public async Task StageUpload_ForcedByAViewer_IsRefused()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<UploadService>().StageUploadAsync(CoreHost.Viewer, "clicks", "2024-Q1",
            "clicks.csv", new MemoryStream(Csv("click_id,banner_id,campaign_id", "11,1,100")), force: true));
    }

    [Fact]
    public async Task StageUpload_Forced_QueuesAReimportThatReplacesTheFile()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "11,1,100"));

        var staged = await host.Get<UploadService>().StageUploadAsync(CoreHost.Marketer, "clicks", "2024-Q1", "clicks.csv",
            new MemoryStream(Csv("click_id,banner_id,campaign_id", "11,1,100", "12,1,100")), force: true);
        await host.WaitForJobAsync(staged.JobId, j => j.IsFinished, "finished");

        var catalog = await CatalogAsync(host);
        Assert.Equal([ImportStatus.Replaced, ImportStatus.Imported], catalog.Select(f => f.Status));
        Assert.Equal(2, catalog[1].RowsKept);
    }
}
