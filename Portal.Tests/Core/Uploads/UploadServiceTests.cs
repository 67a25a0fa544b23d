using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Jobs;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>The page's and the API's entry point: roles, streaming into the bucket, and the import job.</summary>
public sealed class UploadServiceTests : DatabaseTest
{
    private sealed class Reports : IProgress<long>
    {
        public List<long> Values { get; } = [];

        public void Report(long value) => Values.Add(value);
    }

    [Fact]
    public async Task StageUpload_AsViewer_IsRefusedAndStoresNothing()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var ex = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<UploadService>().StageUploadAsync(CoreHost.Viewer, "clicks", "2024-Q1",
            "clicks.csv", new MemoryStream(Csv("click_id,banner_id,campaign_id", "1,1,1"))));

        Assert.Contains("Admin or Marketer", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await FilesAsync(host, "uploads"));
        await using var db = await host.DbAsync();
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task StageUpload_AsMarketer_StreamsThenImportsInTheBackground()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var content = Csv("click_id,banner_id,campaign_id", "1,1,1", "2,1,1", "2,1,1");
        var reports = new Reports();

        var staged = await host.Get<UploadService>().StageUploadAsync(CoreHost.Marketer, "Clicks", "2024-q2", "clicks w1.csv", new MemoryStream(content), reports);
        var job = await host.WaitForJobAsync(staged.JobId, j => j.IsFinished, "finished");

        Assert.Equal(("clicks", "2024-Q2", content.Length), (staged.Dataset, staged.Partition, (int)staged.Bytes));
        Assert.Equal(content.Length, reports.Values[^1]);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal((DatasetImportJob.Kind, "Import clicks w1.csv into clicks (2024-Q2)"), (job.Kind, job.Title));
        Assert.Equal("clicks w1.csv: kept 2 of 3 rows into clicks (2024-Q2); dropped 1 duplicate, 0 missing a value, 0 already stored", job.ProgressMessage);
        var file = Assert.Single(await host.Get<ImportedFileQueries>().ForJobAsync(staged.JobId));
        Assert.Equal((ImportStatus.Imported, "marketer@tests.local", "datasets/clicks/2024-Q2/clicks_w1.parquet"), (file.Status, file.ImportedBy, file.StoredPath));
        Assert.Empty(await FilesAsync(host, DatasetFiles.UploadsFolder));
    }

    [Fact]
    public async Task ImportJob_RejectedForAnEmailValue_NeitherTheJobNorTheLogQuotesIt()
    {
        var log = new LogCapture();
        await using var host = await CoreHost.StartAsync(Folder, log.AddTo);
        var email = new string('x', 330) + "@example.com";

        var staged = await host.Get<UploadService>().StageUploadAsync(CoreHost.Admin, "users", null, "users.csv",
            new MemoryStream(Csv(UsersHeader, User(1), User(2, email: email))));
        var job = await host.WaitForJobAsync(staged.JobId, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("Attempt 1: line 3, column 3 (\"email\"): the value (not shown: personal data) is longer than 320 characters", job.Error);
        Assert.Contains(log.Entries, e => e.Exception is PermanentJobFailureException && e.Text.Contains("   at ", StringComparison.Ordinal));
        Assert.All(log.Entries, e => Assert.DoesNotContain("xxxxxxxxxx", e.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImportJob_RejectedFile_FailsAtOnceWithLineAndColumn()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var staged = await host.Get<UploadService>().StageUploadAsync(CoreHost.Admin, "impressions", "2024-Q1", "bad.csv",
            new MemoryStream(Csv("banner_id,campaign_id", "1,2", "3,four")));
        var job = await host.WaitForJobAsync(staged.JobId, j => j.IsFinished, "finished");

        Assert.Equal((JobStatus.Failed, 1), (job.Status, job.Attempts));
        Assert.Equal("Attempt 1: line 3, column 2 (\"campaign_id\"): 'four' is not a valid Int64", job.Error);
        var file = Assert.Single(await host.Get<ImportedFileQueries>().ForJobAsync(staged.JobId));
        Assert.Equal((ImportStatus.Rejected, 3L, "campaign_id"), (file.Status, file.ErrorLine, file.ErrorColumn));
        Assert.Empty(await FilesAsync(host, DatasetFiles.UploadsFolder));
    }

    [Fact]
    public async Task ImportJob_DatabaseFailsOnce_IsRetriedAndImportedOnce()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Jobs:RetryBaseSeconds"] = "2" });
        await using (var db = await host.DbAsync())
        {
            await FailureTriggers.CreateAsync(db, "fail_import", "imported_files", "database hiccup", when: "NEW.status = 'Imported'");
        }

        var staged = await host.Get<UploadService>().StageUploadAsync(CoreHost.Marketer, "impressions", "2024-Q1", "i.csv",
            new MemoryStream(Csv("banner_id,campaign_id", "1,2")));
        await host.WaitUntilAsync(async () => (await host.Get<ImportedFileQueries>().ForJobAsync(staged.JobId)).Any(f => f.Status == ImportStatus.Failed),
            "the first attempt to fail");
        await using (var db = await host.DbAsync())
        {
            await FailureTriggers.DropAsync(db, "fail_import", "imported_files");
        }

        var job = await host.WaitForJobAsync(staged.JobId, j => j.IsFinished, "finished");

        Assert.Equal((JobStatus.Succeeded, 2), (job.Status, job.Attempts));
        Assert.StartsWith("Attempt 1: DbUpdateException", job.Error, StringComparison.Ordinal);
        var file = Assert.Single(await CatalogAsync(host));
        Assert.Equal((ImportStatus.Imported, staged.JobId, null), (file.Status, file.JobId, file.Error));
        Assert.Equal(["datasets/impressions/2024-Q1/i.parquet"], await FilesAsync(host, DatasetFiles.DatasetsFolder));
    }

    [Theory]
    [InlineData("nope", "", "x.csv", ImportRejection.UnknownDataset)]
    [InlineData("clicks", "Q1-2024", "x.csv", ImportRejection.BadPartition)]
    [InlineData("clicks", "2024-Q1", "../x.csv", ImportRejection.BadFileName)]
    [InlineData("clicks", "2024-Q1", "", ImportRejection.BadFileName)]
    public async Task StageUpload_BadTarget_RefusedBeforeStoring(string dataset, string partition, string fileName, ImportRejection reason)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var ex = await Assert.ThrowsAsync<ImportRejectedException>(() => host.Get<UploadService>().StageUploadAsync(CoreHost.Marketer, dataset, partition,
            fileName, new MemoryStream([1])));

        Assert.Equal(reason, ex.Reason);
        Assert.Empty(await FilesAsync(host, "uploads"));
    }

    [Fact]
    public async Task StageUpload_NameAlreadyImported_RefusedBeforeStoring()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("clicks", "2024-Q1", "week.csv", Csv("click_id,banner_id,campaign_id", "1,1,1"));
        var before = await FilesAsync(host, "uploads");

        var ex = await Assert.ThrowsAsync<ImportRejectedException>(() => host.Get<UploadService>().StageUploadAsync(CoreHost.Marketer, "clicks", "2024-Q2",
            "week.csv", new MemoryStream(Csv("click_id,banner_id,campaign_id", "2,1,1"))));

        Assert.Equal(ImportRejection.AlreadyImported, ex.Reason);
        Assert.Equal(before, await FilesAsync(host, "uploads"));
    }

    [Fact]
    public async Task StageUpload_OverTheLimit_RefusedAndNothingKept()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Uploads:MaxUploadBytes"] = "100000" });

        var ex = await Assert.ThrowsAsync<ImportRejectedException>(() => host.Get<UploadService>().StageUploadAsync(CoreHost.Marketer, "clicks", "2024-Q1",
            "big.csv", new MemoryStream(new byte[300_000])));

        Assert.Equal(ImportRejection.TooLarge, ex.Reason);
        Assert.Equal("The file is larger than the 100,000 bytes an upload may be.", ex.Message);
        Assert.Empty(await FilesAsync(host, "uploads"));
        Assert.Empty(Directory.GetFiles(Path.Combine(((LocalBucket)host.Get<IBucket>()).Root, "uploads", "incoming"), "*", SearchOption.AllDirectories));
    }
}
