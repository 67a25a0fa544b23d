using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Jobs;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>The drop folder's compare loop over the drop folder: only files the catalog does not have yet, oldest first.</summary>
public sealed class DropFolderScanTests : DatabaseTest
{
    private static async Task DropAsync(CoreHost host, string path, byte[] content, DateTime modified)
    {
        await PutAsync(host, path, content);
        File.SetLastWriteTimeUtc(Path.Combine(((LocalBucket)host.Get<IBucket>()).Root, path), modified);
    }

    [Fact]
    public async Task Scan_NewAndKnownFiles_ImportsOnlyTheNewOnesOldestFirst()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await DropAsync(host, "incoming/clicks/2024-Q1/late.csv", Csv("click_id,banner_id,campaign_id", "1,9,9", "2,9,9"), t0.AddHours(2));
        await DropAsync(host, "incoming/clicks/2024-Q1/early.csv", Csv("click_id,banner_id,campaign_id", "1,1,1"), t0.AddHours(1));
        await DropAsync(host, "incoming/users/all/users.csv", Csv(UsersHeader, User(1)), t0);
        await DropAsync(host, "incoming/unknown/all/x.csv", Csv("a", "1"), t0);
        await DropAsync(host, "incoming/clicks/2024-Q1/readme.txt", [1, 2], t0);
        var scan = host.Get<DropFolderScan>();

        var first = await scan.RunAsync("system", null);
        var second = await scan.RunAsync("system", null);

        Assert.Equal((3, 0, 0, 0, 2), (first.Imported, first.Rejected, first.Failed, first.Skipped, first.Ignored));
        Assert.Equal(["users.csv", "early.csv", "late.csv"], first.Files.Select(f => f.FileName));
        var late = first.Files[2];
        Assert.Equal((2L, 1L, 1L), (late.RowsIn, late.RowsKept, late.DroppedExistingKey));
        Assert.Equal((ImportSource.DropFolder, t0.AddHours(2)), (late.Source, late.SourceModifiedAt));
        Assert.Equal((0, 3, 2), (second.Imported, second.Skipped, second.Ignored));
        Assert.Equal(3, (await CatalogAsync(host)).Count);
        Assert.True(await host.Get<IBucket>().ExistsAsync("incoming/clicks/2024-Q1/late.csv"), "dropped files stay where they are");
    }

    [Fact]
    public async Task Scan_RejectedFile_IsNotRejectedAgainUntilItChanges()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await DropAsync(host, "incoming/impressions/2024-Q3/bad.csv", Csv("banner_id,campaign_id", "1,x"), t0);
        var scan = host.Get<DropFolderScan>();

        var first = await scan.RunAsync("system", null);
        var second = await scan.RunAsync("system", null);
        await DropAsync(host, "incoming/impressions/2024-Q3/bad.csv", Csv("banner_id,campaign_id", "1,2"), t0.AddDays(1));
        var third = await scan.RunAsync("system", null);

        Assert.Equal((0, 1, 0), (first.Imported, first.Rejected, first.Skipped));
        Assert.Equal((0, 0, 1), (second.Imported, second.Rejected, second.Skipped));
        Assert.Equal((1, 0, 0), (third.Imported, third.Rejected, third.Skipped));
        Assert.Equal([ImportStatus.Rejected, ImportStatus.Imported], (await CatalogAsync(host)).Select(f => f.Status));
    }

    [Fact]
    public async Task ScanJob_Queued_ImportsAndSummarises()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await DropAsync(host, "incoming/conversions/2025-Q4/c.csv", Csv("conversion_id,click_id,revenue", "1,1,1.5"), DateTime.UtcNow);

        var job = await host.Get<UploadService>().ScanDropFolderAsync(CoreHost.Marketer);
        var done = await host.WaitForJobAsync(job, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal("1 imported, 0 rejected, 0 failed, 0 already in the catalog, 0 not in a dataset's folder", done.ProgressMessage);
        var file = Assert.Single(await host.Get<ImportedFileQueries>().ForJobAsync(job));
        Assert.Equal(("c.csv", "2025-Q4", "marketer@tests.local"), (file.FileName, file.Partition, file.ImportedBy));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<UploadService>().ScanDropFolderAsync(CoreHost.Viewer));
    }
}
