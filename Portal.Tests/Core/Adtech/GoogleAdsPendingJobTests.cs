using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// A Google Ads offline user data job still RUNNING when polling gave up: the next syncs start no second job on the list
/// while it runs (Google would refuse one with CONCURRENT_MODIFICATION), and once it has succeeded its batch counts as
/// accepted, so it is never sent again.
/// </summary>
public sealed class GoogleAdsPendingJobTests : DatabaseTest
{
    private const string Yaml = "slow_g:\n  description: d\n  country: IN\n  source:\n    endpoint: g/\n    params:\n      members: 20\n  googleAds:\n    name: Slow on Google\n";

    private static readonly CatalogRunScope Sync = new(Sync: true);

    private static List<Member> Others(int count) => [.. Enumerable.Range(0, count).Select(i => new Member([$"other{i}@example.com"], [], []))];

    [Fact]
    public async Task Sync_JobStillRunningAtThePollDeadline_NextSyncsWaitForItAndNeverSendItsBatchAgain()
    {
        await using var env = await SandboxHost.StartAsync(Folder, s => s["Adtech:GoogleAds:JobPollLimit"] = "3");
        var bucket = env.Host.Get<IBucket>();
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("slow_g"), Yaml, null);
        var runner = env.Host.Get<CatalogRunner>();
        Assert.Equal([AdtechKeys.GoogleAds], Assert.Single(await runner.RunAsync(null)).Uploaded);
        var jobs = env.Sandbox.State.Jobs;
        Assert.Single(jobs);
        await MemberFile.WriteAsync(bucket, "slow_g", Others(25)); // all 20 leave, 25 join: a removes job, then an adds job
        env.Sandbox.State.JobLooksWhileRunning = 100;

        var gaveUp = Assert.Single(await runner.RunAsync(Sync));
        var waited = Assert.Single(await runner.RunAsync(Sync));
        Assert.Equal(2, jobs.Count); // the export's, and the removes job that is still running: no second one
        env.Sandbox.State.JobLooksWhileRunning = 0; // the running job ends at its next look
        var finished = Assert.Single(await runner.RunAsync(Sync));

        Assert.Contains("still running", Assert.Single(gaveUp.Errors), StringComparison.Ordinal);
        Assert.Contains("still running", Assert.Single(waited.Errors), StringComparison.Ordinal);
        Assert.Equal([AdtechKeys.GoogleAds], finished.Uploaded);
        Assert.Equal([("create", "SUCCESS"), ("remove", "SUCCESS"), ("create", "SUCCESS")],
            jobs.OrderBy(j => j.Key.Length).ThenBy(j => j.Key, StringComparer.Ordinal).Select(j => (j.Value.Operation, j.Value.Status)));
        var normalization = new GoogleAdsConnector(null!, TimeProvider.System).Normalization(MirrorMembers.India.Country);
        var stats = new HashStats();
        var expected = Others(25).Select(m => stats.Hash(m, normalization)).Select(h => SandboxMembers.RowKey(h.Emails, h.Phones, [])).ToHashSet();
        var list = jobs.Values.First().UserList;
        Assert.True(expected.SetEquals(env.Sandbox.State.Members.Of(list)), $"the list holds {env.Sandbox.State.Members.Of(list).Count} members");
        await using var db = await env.Host.DbAsync();
        var last = db.ExportRuns.OrderByDescending(r => r.Id).First();
        Assert.Equal(("Synced", 0L, 25L), (last.SyncOutcome, last.Removed, last.Added));
    }
}
