using System.Text.Json;
using Portal.Core.Jobs;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>Restarts on the same folder after a process died during or right after an import.</summary>
public sealed class ImportRestartTests : DatabaseTest
{
    [Fact]
    public async Task ImportJob_CommittedJustBeforeTheProcessDied_RunsAgainAsANoOpAndSucceeds()
    {
        var content = Csv("click_id,banner_id,campaign_id", "1,1,1", "2,1,1");
        long jobId;
        ImportedFile committed;
        await using (var first = await CoreHost.StartAsync(Folder))
        {
            var staged = await first.Get<UploadService>().StageUploadAsync(CoreHost.Marketer, "clicks", "2024-Q1", "clicks.csv", new MemoryStream(content));
            jobId = staged.JobId;
            var job = await first.WaitForJobAsync(jobId, j => j.IsFinished, "finished");
            Assert.Equal(JobStatus.Succeeded, job.Status);
            committed = Assert.Single(await CatalogAsync(first));
            // The process died after the commit, before the job deleted the upload and was marked done.
            await PutAsync(first, JsonSerializer.Deserialize<DatasetImportPayload>(job.Payload!)!.Path, content);
        }

        await Folder.LeaveJobRunningAsync(jobId, attempts: 1);
        await using var host = await CoreHost.StartAsync(Folder);
        var rerun = await host.WaitForJobAsync(jobId, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Succeeded, rerun.Status);
        Assert.Equal(2, rerun.Attempts);
        Assert.Equal("clicks.csv: kept 2 of 2 rows into clicks (2024-Q1); dropped 0 duplicate, 0 missing a value, 0 already stored", rerun.ProgressMessage);
        var file = Assert.Single(await CatalogAsync(host));
        Assert.Equal((committed.Id, ImportStatus.Imported, committed.StoredPath), (file.Id, file.Status, file.StoredPath));
        Assert.Equal([committed.StoredPath!], await FilesAsync(host, DatasetFiles.DatasetsFolder));
        Assert.Empty(await FilesAsync(host, DatasetFiles.UploadsFolder));
    }

    [Fact]
    public async Task Start_AfterImportsWereInterrupted_RemovesStagedFilesAndStoredCopiesNoImportCommitted()
    {
        string kept;
        await using (var first = await CoreHost.StartAsync(Folder))
        {
            kept = (await first.ImportedAsync("clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "1,1,1"))).StoredPath!;
            await PutAsync(first, $"{DatasetFiles.StagingFolder}/0123456789abcdef.parquet", [1, 2, 3]);
            await PutAsync(first, $"{DatasetFiles.PartitionFolder("clicks", "2024-Q1")}/copied-before-the-commit.parquet", [1, 2, 3]);
            await PutAsync(first, $"{DatasetFiles.DropFolder}/clicks/2024-Q1/dropped.csv", Csv("click_id,banner_id,campaign_id", "2,1,1"));
        }

        await using var host = await CoreHost.StartAsync(Folder);

        Assert.Empty(await FilesAsync(host, DatasetFiles.StagingFolder));
        Assert.Equal([kept], await FilesAsync(host, DatasetFiles.DatasetsFolder));
        Assert.Equal(["incoming/clicks/2024-Q1/dropped.csv"], await FilesAsync(host, DatasetFiles.DropFolder));
        Assert.Equal([1L], await StoredInt64Async(host, kept, "click_id"));
    }
}
