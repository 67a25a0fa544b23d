using Portal.Core.Audiences;
using Portal.Core.Jobs;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>The import reads and deletes only files its own upload staged in the incoming folder.</summary>
public sealed class ImportSourcePathTests : DatabaseTest
{
    private const string StateFile = "state/victim.yml";

    [Theory]
    [InlineData(StateFile)]
    [InlineData("uploads/incoming/../../" + StateFile)]
    [InlineData("uploads/incoming/./../../" + StateFile)]
    [InlineData("/" + StateFile)]
    [InlineData("uploads/staging/victim.csv")]
    [InlineData("uploads/incoming/sub/victim.csv")]
    [InlineData("uploads/incoming/.victim.csv.tmp")]
    [InlineData("incoming/users/all/victim.csv")]
    public async Task ImportJob_PathOutsideItsUploadsFolder_FailsBeforeReadingOrDeletingIt(string path)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        var target = path.TrimStart('/').Contains("victim.yml", StringComparison.Ordinal) ? StateFile : path;
        await PutAsync(host, target, Csv(UsersHeader, User(1)));

        var queued = await host.Get<JobQueue>().EnqueueAsync(DatasetImportJob.Kind, CoreHost.Marketer,
            DatasetImportJob.PayloadFor(new DatasetImportPayload("users", null, "victim.csv", path)));
        var job = await host.WaitForJobAsync(queued.Id, j => j.IsFinished, "finished");

        Assert.Equal((JobStatus.Failed, 1), (job.Status, job.Attempts));
        Assert.Contains("An import reads only files its upload staged in uploads/incoming/", job.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was read or deleted", job.Error, StringComparison.Ordinal);
        Assert.True(await bucket.ExistsAsync(target), $"{target} is still there");
        Assert.Empty(await CatalogAsync(host));
    }

    [Fact]
    public async Task ImportJob_FileItsUploadStaged_IsImportedAndDeleted()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var path = await PutAsync(host, $"{DatasetFiles.UploadsFolder}/{Guid.NewGuid():N}-users.csv", Csv(UsersHeader, User(1)));

        var queued = await host.Get<JobQueue>().EnqueueAsync(DatasetImportJob.Kind, CoreHost.Marketer,
            DatasetImportJob.PayloadFor(new DatasetImportPayload("users", null, "users.csv", path)));
        var job = await host.WaitForJobAsync(queued.Id, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.False(await host.Get<IBucket>().ExistsAsync(path));
    }

    [Theory]
    [InlineData(ImportSource.Upload, StateFile)]
    [InlineData(ImportSource.Upload, "incoming/users/all/users.csv")]
    [InlineData(ImportSource.DropFolder, StateFile)]
    [InlineData(ImportSource.DropFolder, "incoming/users/../../" + StateFile)]
    public async Task Importer_SourceOutsideItsFolder_IsRefusedBeforeReading(ImportSource source, string path)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await PutAsync(host, StateFile, Csv(UsersHeader, User(1)));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<DatasetImporter>().ImportAsync(
            new ImportRequest("users", null, "users.csv", path, "marketer@tests.local", source)));

        Assert.Contains("nothing was read or deleted", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await CatalogAsync(host));
        Assert.True(await host.Get<IBucket>().ExistsAsync(StateFile));
    }
}
