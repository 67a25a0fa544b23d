using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// Resumable, idempotent exports through the catalog run, against the sandbox on a real loopback HTTP server with
/// faults injected: whatever fails, each audience is created once and each member sent once.
/// </summary>
public sealed class AudienceExporterTests : DatabaseTest
{
    private const int Members = 25_000;
    private const string BigB = "big_b:\n  description: d\n  country: IN\n  source:\n    endpoint: big/\n    params:\n      members: 25000\n  adtechB:\n    name: Big on B\n    expiration_time: 30\n";
    private const string BigGoogle = "big_g:\n  description: d\n  country: IN\n  source:\n    endpoint: big/\n    params:\n      members: 12000\n  googleAds:\n    name: Big on Google\n";

    private string BucketPath => Path.Combine(Folder.Path, "bucket");

    private async Task<CoreHost> StartAsync(SandboxServer sandbox, string name, string yaml, MeddlingBucket? bucket = null)
    {
        var host = await CoreHost.StartAsync(Folder, settings: sandbox.Settings(BucketPath),
            services: bucket is null ? null : s => s.AddSingleton<IBucket>(bucket));
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath(name), yaml, null);
        return host;
    }

    private static async Task<CatalogRunResult> RunAsync(CoreHost host) => Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));

    private static async Task<AudienceState> StateAsync(CoreHost host, string name)
    {
        var text = await host.Get<IBucket>().ReadTextAsync(AudienceCatalog.StatePath(name));
        return AudienceStateParser.Parse(name + ".yml", text!.Text).State!;
    }

    private static async Task<List<ExportRun>> RunsAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        return await db.ExportRuns.AsNoTracking().OrderBy(r => r.Id).ToListAsync();
    }

    /// <summary>Sets the runs as a portal that stopped during them leaves them: Running.</summary>
    private static async Task LeaveRunsRunningAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        await db.ExportRuns.ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ExportRunStatus.Running).SetProperty(r => r.FinishedUtc, (DateTime?)null));
    }

    /// <summary>Replaces the audience's member file with <paramref name="count"/> other members (as a new fetch would).</summary>
    private static Task ReplaceMembersAsync(CoreHost host, string audience, int count) =>
        MemberFile.WriteAsync(host.Get<IBucket>(), audience, Enumerable.Range(0, count).Select(i => new Member([$"other{i}@example.com"], [], [])));

    private static int Audiences(SandboxServer sandbox, string prefix) => sandbox.State.AudienceMembers.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal));

    private static void Enqueue(SandboxServer sandbox, SandboxFault fault, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            sandbox.State.Faults.Enqueue(fault);
        }
    }

    /// <summary>The sandbox applies the request, then answers later than the caller waits (3 s in these tests).</summary>
    private static void LoseAnswers(SandboxServer sandbox, string path, string key, int attempts = 1) =>
        Enqueue(sandbox, new SandboxFault(path, 200, Delay: TimeSpan.FromSeconds(8), AfterProcessing: true, KeyContains: key), attempts);

    /// <summary>Every attempt of the request (four in these tests) is answered 500.</summary>
    private static void FailEveryAttempt(SandboxServer sandbox, string key) => Enqueue(sandbox, new SandboxFault("/adtech-b/", 500, KeyContains: key), 4);

    [Fact]
    public async Task Export_AnswersLostAfterTheAdtechAppliedThem_CreatesOneAudienceFoundByNameAndRepeatsOnlyTheAdd()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_b", BigB);
        LoseAnswers(sandbox, "/adtech-b/", ":create");
        LoseAnswers(sandbox, "/adtech-b/", ":batch:1");

        var result = await RunAsync(host);

        Assert.Equal(["adtechB"], result.Uploaded);
        Assert.Equal(1, Audiences(sandbox, "B"));
        var id = (await StateAsync(host, "big_b")).AdtechId("adtechB")!;
        // The create (with the first batch) is settled by looking it up; the lost add is sent again, as adds are safe to
        // repeat (an adtech keeps a member once; the sandbox counts what it was sent).
        Assert.Equal(Members + 10_000, sandbox.State.AudienceMembers[id]);
        var run = Assert.Single(await RunsAsync(host));
        Assert.Equal((ExportRunStatus.Succeeded, id, 3, Members, 200), (run.Status, run.AdtechAudienceId, run.BatchesCommitted, run.MembersSent, run.HttpStatus));
        Assert.NotNull(run.FinishedUtc);
    }

    [Fact]
    public async Task Export_BatchFailsUntilRetriesRunOut_RecordsIdAndOffsetAndTheNextRunResumesWithoutASecondCreate()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_b", BigB);
        FailEveryAttempt(sandbox, ":batch:2");

        var failed = await RunAsync(host);

        Assert.Empty(failed.Uploaded);
        var state = await StateAsync(host, "big_b");
        Assert.Null(state.AdtechId("adtechB"));
        Assert.Equal(500, state.AdtechLastResponse("adtechB")!.Status);
        var first = Assert.Single(await RunsAsync(host));
        Assert.Equal((ExportRunStatus.Failed, 2, 20_000L, 500), (first.Status, first.BatchesCommitted, first.MembersSent, first.HttpStatus));
        Assert.StartsWith("B", first.AdtechAudienceId, StringComparison.Ordinal);
        Assert.Contains("after 4 attempts", first.ResponseMessage, StringComparison.Ordinal);

        var resumed = await RunAsync(host);

        Assert.Equal(["adtechB"], resumed.Uploaded);
        Assert.Equal(1, Audiences(sandbox, "B"));
        Assert.Equal(Members, sandbox.State.AudienceMembers[first.AdtechAudienceId!]);
        Assert.Equal([10_000, 10_000, 5_000], sandbox.State.Calls.Where(c => c.Api == "adtechB").Select(c => c.Members));
        state = await StateAsync(host, "big_b");
        Assert.Equal(first.AdtechAudienceId, state.AdtechId("adtechB"));
        Assert.Contains($"Resumed run {first.Id}'s export after 2 committed batches", state.AdtechLastResponse("adtechB")!.Message, StringComparison.Ordinal);
        var runs = await RunsAsync(host);
        Assert.Equal(ExportRunStatus.Failed, runs[0].Status);
        Assert.Equal((ExportRunStatus.Succeeded, first.Id, first.ExportKey, 3, 5_000L), (runs[1].Status, runs[1].ResumedFromId, runs[1].ExportKey, runs[1].BatchesCommitted, runs[1].MembersSent));
    }

    [Fact]
    public async Task Export_MembersChangedSinceTheFailedRun_StartsOverOnTheNewMembersInsteadOfSkippingBatches()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_b", BigB);
        FailEveryAttempt(sandbox, ":batch:2");
        await RunAsync(host);
        var first = Assert.Single(await RunsAsync(host));
        Assert.Equal((ExportRunStatus.Failed, 2), (first.Status, first.BatchesCommitted));

        // The members change before the next run (a new fetch, a segment refreshed): 15,000 others.
        await ReplaceMembersAsync(host, "big_b", 15_000);
        var result = await RunAsync(host);

        Assert.Equal(["adtechB"], result.Uploaded);
        var second = (await RunsAsync(host))[1];
        Assert.Null(second.ResumedFromId);
        Assert.NotEqual(first.ExportKey, second.ExportKey);
        Assert.NotEqual(first.MembersHash, second.MembersHash);
        Assert.Equal((ExportRunStatus.Succeeded, 2, 15_000L), (second.Status, second.BatchesCommitted, second.MembersSent));
        var state = await StateAsync(host, "big_b");
        var id = state.AdtechId("adtechB")!;
        Assert.NotEqual(first.AdtechAudienceId, id);
        Assert.Equal(15_000, sandbox.State.AudienceMembers[id]);
        Assert.Contains($"Started over: the members changed since run {first.Id}'s export began, so it was not resumed (its audience {first.AdtechAudienceId} at the adtech",
            state.AdtechLastResponse("adtechB")!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_RunLeftRunningWhenTheMembersChanged_IsMarkedInterruptedAndAFreshExportRuns()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_b", BigB);
        FailEveryAttempt(sandbox, ":batch:1");
        await RunAsync(host);
        await LeaveRunsRunningAsync(host);

        await ReplaceMembersAsync(host, "big_b", 100);
        await RunAsync(host);

        var runs = await RunsAsync(host);
        Assert.Equal((ExportRunStatus.Failed, $"Interrupted before it finished; the members changed since, so run {runs[1].Id} started over."),
            (runs[0].Status, runs[0].ResponseMessage));
        Assert.Equal((ExportRunStatus.Succeeded, null, 100L), (runs[1].Status, runs[1].ResumedFromId, runs[1].MembersSent));
    }

    [Fact]
    public async Task Export_GoogleBatchAnswerLostOnEveryAttempt_TheNextRunResumesTheSameJobAndTheListIsCreatedOnce()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_g", BigGoogle);
        LoseAnswers(sandbox, ":addOperations", ":batch:1", attempts: 4);

        var failed = await RunAsync(host);

        Assert.Empty(failed.Uploaded);
        var first = Assert.Single(await RunsAsync(host));
        Assert.Equal((ExportRunStatus.Failed, 1, 504), (first.Status, first.BatchesCommitted, first.HttpStatus));
        var job = Assert.Single(sandbox.State.Jobs);
        Assert.Equal(first.AdtechJob, job.Key);
        Assert.Equal(5_000 + (4 * 5_000), job.Value.Pending); // batch 1 was applied by each attempt, none answered in time
        Assert.False(job.Value.Ran);

        var resumed = await RunAsync(host);

        Assert.Equal([AdtechKeys.GoogleAds], resumed.Uploaded);
        Assert.Single(sandbox.State.Jobs);
        Assert.Equal(1, Audiences(sandbox, "customers/"));
        Assert.Equal(25_000 + 7_000, sandbox.State.AudienceMembers[first.AdtechAudienceId!]);
        Assert.Equal(first.AdtechAudienceId, (await StateAsync(host, "big_g")).AdtechId(AdtechKeys.GoogleAds));
        Assert.Equal(7_000, (await RunsAsync(host))[1].MembersSent); // batch 1 again and batch 2
    }

    [Fact]
    public async Task Export_GooglePartialFailure_IsCountedInTheRunsFailedCount()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_g", BigGoogle);
        sandbox.State.Faults.Enqueue(new SandboxFault(":addOperations", 200, PartialFailures: 3));

        var result = await RunAsync(host);

        Assert.Equal([AdtechKeys.GoogleAds], result.Uploaded);
        var run = Assert.Single(await RunsAsync(host));
        Assert.Equal((ExportRunStatus.Succeeded, 12_000L, 3L), (run.Status, run.MembersSent, run.FailedCount));
        Assert.Equal(11_997, sandbox.State.AudienceMembers[run.AdtechAudienceId!]);
        Assert.Contains("3 rejected by the adtech", (await StateAsync(host, "big_g")).AdtechLastResponse(AdtechKeys.GoogleAds)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_BatchAnswered429_WaitsAndSendsTheBatchOnce()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_b", BigB);
        sandbox.State.Faults.Enqueue(new SandboxFault("/adtech-b/", 429, RetryAfterSeconds: 1, KeyContains: ":batch:1"));

        var result = await RunAsync(host);

        Assert.Equal(["adtechB"], result.Uploaded);
        Assert.Empty(sandbox.State.Faults);
        Assert.Equal(Members, sandbox.State.AudienceMembers.Values.Single());
        Assert.Equal(ExportRunStatus.Succeeded, Assert.Single(await RunsAsync(host)).Status);
    }

    [Fact]
    public async Task Export_StateFileChangedDuringTheUpload_RunFailsAndTheNextRunWritesTheIdWithoutPostingAgain()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var bucket = new MeddlingBucket(BucketPath);
        await using var host = await StartAsync(sandbox, "big_b", BigB + "  owner: growth\n", bucket);
        bucket.OnMemberRead = async inner =>
        {
            var text = await inner.ReadTextAsync(AudienceCatalog.StatePath("big_b"));
            await inner.WriteTextAsync(text!.Path, text.Text.Replace("owner: growth", "owner: marketing", StringComparison.Ordinal), null);
        };

        var conflicted = await RunAsync(host);

        Assert.Contains(conflicted.Errors, e => e.Contains("was changed by someone else", StringComparison.Ordinal));
        var run = Assert.Single(await RunsAsync(host));
        Assert.Equal((ExportRunStatus.Failed, true), (run.Status, run.UploadCompleted));
        Assert.Contains("the next run writes it without posting again", run.ResponseMessage, StringComparison.Ordinal);
        var posted = sandbox.State.Calls.Count;
        Assert.Equal(3, posted);
        Assert.Null((await StateAsync(host, "big_b")).AdtechId("adtechB"));

        var again = await RunAsync(host);

        Assert.Equal(["adtechB"], again.Uploaded);
        Assert.Equal(posted, sandbox.State.Calls.Count);
        var state = await StateAsync(host, "big_b");
        Assert.Equal(run.AdtechAudienceId, state.AdtechId("adtechB"));
        Assert.Equal("marketing", state.ToPlain() is Dictionary<string, object?> root && root["big_b"] is Dictionary<string, object?> body ? body["owner"] : null);
        Assert.Equal(ExportRunStatus.Succeeded, (await RunsAsync(host))[1].Status);
    }

    [Fact]
    public async Task Export_RunLeftRunningByAStoppedPortal_IsMarkedInterruptedAndResumed()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_b", BigB);
        FailEveryAttempt(sandbox, ":batch:1");

        await RunAsync(host);
        await LeaveRunsRunningAsync(host);

        var result = await RunAsync(host);

        Assert.Equal(["adtechB"], result.Uploaded);
        Assert.Equal(1, Audiences(sandbox, "B"));
        Assert.Equal(Members, sandbox.State.AudienceMembers.Values.Single());
        var runs = await RunsAsync(host);
        Assert.Equal(ExportRunStatus.Failed, runs[0].Status);
        Assert.Equal($"Interrupted before it finished; run {runs[1].Id} resumes it.", runs[0].ResponseMessage);
        Assert.Equal((ExportRunStatus.Succeeded, runs[0].Id), (runs[1].Status, runs[1].ResumedFromId));
    }

    [Fact]
    public async Task Export_AfterASucceededRun_ANewPostStartsAFreshExport()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await StartAsync(sandbox, "big_b", BigB);
        await RunAsync(host);
        var first = Assert.Single(await RunsAsync(host));

        // The marketer removes the id on purpose to post the audience again.
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("big_b"), BigB, null);
        await RunAsync(host);

        var second = (await RunsAsync(host))[1];
        Assert.Null(second.ResumedFromId);
        Assert.NotEqual(first.ExportKey, second.ExportKey);
        Assert.Equal(2, Audiences(sandbox, "B"));
    }
}
