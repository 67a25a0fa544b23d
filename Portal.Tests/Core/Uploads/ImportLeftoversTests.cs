using Portal.Core.Audiences;
using Portal.Core.Jobs;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Uploads;

/// <summary>What interrupted imports left in the bucket, removed at start-up; with another instance at work, only old files.</summary>
public sealed class ImportLeftoversTests : DatabaseTest
{
    private const string FreshStaged = "uploads/staging/fresh.parquet";
    private const string OldStaged = "uploads/staging/old.parquet";
    private const string FreshOrphan = "datasets/impressions/2026-11-30/fresh.parquet";
    private const string OldOrphan = "datasets/impressions/2026-11-01/old.parquet";

    [Fact]
    public async Task CleanAtStart_NoOtherInstanceRunsAJob_RemovesEveryLeftover()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Jobs:InstanceId"] = "instance-a" });
        await WriteLeftoversAsync(host);

        var removed = await host.Get<ImportLeftovers>().CleanAtStartAsync();

        Assert.Equal(4, removed);
        Assert.Empty(await ExistingAsync(host));
    }

    [Fact]
    public async Task CleanAtStart_AnotherInstanceRunsAJob_KeepsWhatItMayBeWritingRemovesOldLeftovers()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Jobs:InstanceId"] = "instance-a" });
        await RunningJobOfAnotherInstanceAsync(host, leaseExpiresAt: DateTime.UtcNow.AddMinutes(1));

        await WriteLeftoversAsync(host);

        var removed = await host.Get<ImportLeftovers>().CleanAtStartAsync();

        Assert.Equal(2, removed);
        Assert.Equal([FreshOrphan, FreshStaged], await ExistingAsync(host));
    }

    [Fact]
    public async Task CleanAtStart_AnotherInstancesLeaseHasPassed_RemovesEveryLeftover()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Jobs:InstanceId"] = "instance-a" });
        await RunningJobOfAnotherInstanceAsync(host, leaseExpiresAt: DateTime.UtcNow.AddMinutes(-5));

        await WriteLeftoversAsync(host);

        Assert.Equal(4, await host.Get<ImportLeftovers>().CleanAtStartAsync());
    }

    /// <summary>An import running on instance-b, its lease ending at <paramref name="leaseExpiresAt"/>.</summary>
    private static async Task RunningJobOfAnotherInstanceAsync(CoreHost host, DateTime leaseExpiresAt)
    {
        await using var db = await host.DbAsync();
        db.Jobs.Add(new JobRecord
        {
            Kind = DatasetImportJob.Kind, Title = "Import impressions", Status = JobStatus.Running, RequestedBy = "admin@tests.local",
            CreatedAt = DateTime.UtcNow.AddMinutes(-10), StartedAt = DateTime.UtcNow.AddMinutes(-10), Attempts = 1, MaxAttempts = 3,
            LeaseOwner = "instance-b", LeaseExpiresAt = leaseExpiresAt,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>Two staged files and two Parquet files no import committed: one of each written now, one two days ago.</summary>
    private static async Task WriteLeftoversAsync(CoreHost host)
    {
        var bucket = (LocalBucket)host.Get<IBucket>();
        foreach (var path in new[] { FreshStaged, OldStaged, FreshOrphan, OldOrphan })
        {
            var file = Path.Combine(bucket.Root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllBytesAsync(file, [1, 2, 3]);
            if (path.Contains("old", StringComparison.Ordinal))
            {
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-2));
            }
        }
    }

    private static async Task<List<string>> ExistingAsync(CoreHost host)
    {
        var bucket = host.Get<IBucket>();
        var staged = await bucket.ListAllAsync(DatasetFiles.StagingFolder).Select(i => i.Path).ToListAsync();
        var datasets = await bucket.ListAllAsync(DatasetFiles.DatasetsFolder).Select(i => i.Path).ToListAsync();
        return [.. staged.Concat(datasets).Order(StringComparer.Ordinal)];
    }
}
