using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>The seed's walk-through, against the sandbox on a real loopback HTTP server.</summary>
public sealed class CatalogRunnerTests : DatabaseTest
{
    private string BucketPath => Path.Combine(Folder.Path, "bucket");

    private async Task<(CoreHost Host, IBucket Bucket)> StartAsync(SandboxServer sandbox, string? defaultCountry = "IN")
    {
        var settings = sandbox.Settings(BucketPath);
        settings["Audiences:DefaultCountry"] = defaultCountry;
        var host = await CoreHost.StartAsync(Folder, settings: settings);
        return (host, host.Get<IBucket>());
    }

    private static async Task<AudienceState> StateAsync(IBucket bucket, string name = "demo_audience")
    {
        var text = await bucket.ReadTextAsync(AudienceCatalog.StatePath(name));
        var result = AudienceStateParser.Parse(name + ".yml", text!.Text);
        Assert.True(result.IsValid, string.Join("\n", result.Issues));
        return result.State!;
    }

    [Fact]
    public async Task SeedWalkThrough_Stage1ThenAddingAdtechB_FetchesOnceAndUploadsEachOnce()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic, null);
        var runner = host.Get<CatalogRunner>();

        // First run: data is missing, so it is fetched once; then uploaded to AdtechA.
        var first = Assert.Single(await runner.RunAsync(null));
        Assert.True(first.Fetched);
        Assert.Equal(["adtechA"], first.Uploaded);
        Assert.Empty(first.Errors);
        Assert.Equal(1, sandbox.State.DataRequests["demo-endpoint/"]);
        var state = await StateAsync(bucket);
        var idA = state.AdtechId("adtechA");
        Assert.NotNull(idA);
        Assert.Equal(1000, sandbox.State.AudienceMembers[idA]);
        Assert.Equal(200, state.SourceLastResponse!.Status);
        Assert.Equal("Success: 1,000 members fetched.", state.SourceLastResponse.Message);
        Assert.Equal(200, state.AdtechLastResponse("adtechA")!.Status);
        Assert.StartsWith("Success: 1,000 members sent", state.AdtechLastResponse("adtechA")!.Message, StringComparison.Ordinal);
        Assert.True(await bucket.ExistsAsync(AudienceCatalog.DataPath("demo_audience")));

        // The marketer adds AdtechB (the seed's third stage); the next run uploads to B without asking for data again.
        var withB = state.ToYaml() + "\n  adtechB:\n    name: Demo Audience\n    expiration_time: 300\n";
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), withB, null);
        var second = Assert.Single(await runner.RunAsync(null));
        Assert.False(second.Fetched);
        Assert.Equal(["adtechB"], second.Uploaded);
        Assert.Equal(1, sandbox.State.DataRequests["demo-endpoint/"]);
        state = await StateAsync(bucket);
        Assert.Equal(idA, state.AdtechId("adtechA"));
        Assert.Equal(1000, sandbox.State.AudienceMembers[state.AdtechId("adtechB")!]);

        // Nothing is left to do: no request at all.
        var calls = sandbox.State.Calls.Count;
        var third = Assert.Single(await runner.RunAsync(null));
        Assert.Empty(third.Uploaded);
        Assert.Equal(calls, sandbox.State.Calls.Count);
        Assert.Equal(1, sandbox.State.DataRequests["demo-endpoint/"]);
    }

    [Fact]
    public async Task CatalogRunJob_Queued_RunsOneAudienceWithProgressAndFailsWithTheReason()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic, null);
        var queue = host.Get<Portal.Core.Jobs.JobQueue>();

        var ok = await queue.EnqueueAsync(CatalogRunJob.Kind, CoreHost.Marketer, CatalogRunJob.PayloadFor("demo_audience"));
        var done = await host.WaitForJobAsync(ok.Id, j => j.IsFinished, "finished");
        Assert.Equal(Portal.Core.Jobs.JobStatus.Succeeded, done.Status);
        Assert.Equal("demo_audience: uploaded to adtechA", done.ProgressMessage);
        Assert.NotNull((await StateAsync(bucket)).AdtechId("adtechA"));

        var missing = await queue.EnqueueAsync(CatalogRunJob.Kind, CoreHost.Marketer, CatalogRunJob.PayloadFor("nobody"));
        var failed = await host.WaitForJobAsync(missing.Id, j => j.IsFinished, "finished", timeoutSeconds: 60);
        Assert.Equal(Portal.Core.Jobs.JobStatus.Failed, failed.Status);
        Assert.Contains("No audience named 'nobody' in the bucket.", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogRunJob_ExportToOneAdtech_UploadsOnlyThereAndLinksTheRunToTheJob()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic + "\n  adtechB:\n    name: Demo on B\n", null);

        var job = await host.Get<Portal.Core.Jobs.JobQueue>().EnqueueAsync(CatalogRunJob.Kind, CoreHost.Marketer, CatalogRunJob.PayloadFor("demo_audience", "adtechB"));
        var done = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");

        Assert.Equal(Portal.Core.Jobs.JobStatus.Succeeded, done.Status);
        Assert.Equal("demo_audience: uploaded to adtechB", done.ProgressMessage);
        var state = await StateAsync(bucket);
        Assert.NotNull(state.AdtechId("adtechB"));
        Assert.Null(state.AdtechId("adtechA"));
        Assert.Equal(["adtechB"], sandbox.State.Calls.Select(c => c.Api));
        var run = Assert.Single(await host.Get<Portal.Core.Adtech.ExportRunQueries>().ForJobAsync(job.Id));
        Assert.Equal(("demo_audience", "adtechB", state.AdtechId("adtechB")), (run.Audience, run.AdtechKey, run.AdtechAudienceId));
    }

    [Fact]
    public void CatalogRunJob_Payload_NamesTheAdtechOnlyWhenGiven()
    {
        Assert.Equal("""{"audience":"a","adtech":"adtechB"}""", CatalogRunJob.PayloadFor("a", "adtechB"));
        Assert.Equal("""{"audience":"a"}""", CatalogRunJob.PayloadFor("a"));
        Assert.Equal("{}", CatalogRunJob.PayloadFor(null));
    }

    [Fact]
    public async Task Run_OneAdtechTheAudienceLacksOrNoAdtechAtAll_SaysSoAndSendsNothing()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic, null);
        var runner = host.Get<CatalogRunner>();

        var result = Assert.Single(await runner.RunAsync(new CatalogRunScope("demo_audience", "meta")));
        Assert.Equal(["The audience has no 'meta' block; add one to export it there."], result.Errors);
        Assert.Empty(Assert.Single(await runner.RunAsync(new CatalogRunScope(Adtech: "meta"))).Errors);
        await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(new CatalogRunScope("demo_audience", "tiktok")));
        Assert.Empty(sandbox.State.DataRequests);
        Assert.Empty(sandbox.State.Calls);
    }

    [Fact]
    public async Task Meta_LargeAudience_IsCreatedOnceThenFilledInOneSessionOfBatchesOfTwoThousandMembers()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("big_meta"),
            "big_meta:\n  description: d\n  source:\n    endpoint: big/\n    params:\n      members: 25000\n  meta:\n    name: Big on Meta\n", null);

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));
        Assert.Equal(["meta"], result.Uploaded);
        var calls = sandbox.State.Calls.Where(c => c.Api == "meta").ToList();
        Assert.Equal([0, .. Enumerable.Repeat(2_000, 12), 1_000], calls.Select(c => c.Members)); // up to 5 rows a member: 10,000 rows a request
        Assert.Equal((13, true), (Assert.Single(sandbox.State.MetaSessions).Value.HighestSequence, sandbox.State.MetaSessions.Single().Value.Ended));
        Assert.Single(calls.Select(c => c.AudienceId).Distinct());
        var state = await StateAsync(bucket, "big_meta");
        Assert.Equal(25_000, sandbox.State.AudienceMembers[state.AdtechId("meta")!]);
    }

    [Fact]
    public async Task Upload_Answered429_WaitsAndRetriesAndCreatesOneAudience()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic, null);
        sandbox.State.Faults.Enqueue(new SandboxFault("/adtech-a/", 429, RetryAfterSeconds: 1));

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));
        Assert.Equal(["adtechA"], result.Uploaded);
        Assert.Single(sandbox.State.Calls);
        Assert.Empty(sandbox.State.Faults);
    }

    [Fact]
    public async Task Upload_Answered500EveryTime_RecordsTheFailureAndRetriesOnTheNextRun()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic, null);
        // The create and the lookup that would settle its unknown outcome are both answered 500.
        for (var i = 0; i < 2; i++)
        {
            sandbox.State.Faults.Enqueue(new SandboxFault("/adtech-a/", 500));
        }

        var failed = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));
        Assert.Empty(failed.Uploaded);
        var state = await StateAsync(bucket);
        Assert.Null(state.AdtechId("adtechA"));
        Assert.Equal(500, state.AdtechLastResponse("adtechA")!.Status);
        Assert.Contains("whether the audience was created is unknown, and looking it up failed", state.AdtechLastResponse("adtechA")!.Message, StringComparison.Ordinal);
        Assert.Equal(AdtechStatus.NotPosted, state.StatusOf("adtechA", hasMemberData: true));
        Assert.Empty(sandbox.State.Calls);

        var retried = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));
        Assert.Equal(["adtechA"], retried.Uploaded);
        Assert.Single(sandbox.State.Calls);
        Assert.Equal(1, sandbox.State.DataRequests["demo-endpoint/"]);
    }

    [Theory]
    [InlineData(null, "it has no country: add 'country:'")]
    [InlineData("XX", "Audiences:DefaultCountry is wrong: 'XX' is not a country")]
    public async Task Run_NoKnownCountry_PostsNothingAndSaysWhatToSet(string? defaultCountry, string message)
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox, defaultCountry);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic, null);

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));

        Assert.Empty(result.Uploaded);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("adtechA: Audience demo_audience cannot be normalized for upload", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(sandbox.State.Calls);
        Assert.Null((await StateAsync(bucket)).AdtechId("adtechA"));
    }

    [Fact]
    public async Task Run_CountryInTheStateFile_WinsOverAnUnknownDefaultAndIsKept()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox, "XX");
        await using var _ = host;
        var withCountry = SeedStates.Stage1Basic.Replace("  source:", "  country: IN\n  source:", StringComparison.Ordinal);
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), withCountry, null);

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));

        Assert.Equal(["adtechA"], result.Uploaded);
        var state = await StateAsync(bucket);
        Assert.Equal("IN", state.CountrySetting);
        Assert.StartsWith("Success: 1,000 members sent, 0 invalid values dropped.", state.AdtechLastResponse("adtechA")!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_NoAnswerInTime_IsRetriedAfterTheTimeout()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic, null);
        sandbox.State.Faults.Enqueue(new SandboxFault("/adtech-a/", 200, Delay: TimeSpan.FromSeconds(6)));

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));
        Assert.Equal(["adtechA"], result.Uploaded);
        Assert.Single(sandbox.State.Calls);
    }

    [Fact]
    public async Task Upload_WrongToken_FailsAtOnceWithTheAdtechsMessage()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        sandbox.State.AccessToken = "rotated-token";
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), SeedStates.Stage1Basic, null);

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));
        var error = Assert.Single(result.Errors);
        Assert.Contains("adtechA: Failed: Invalid or missing access token", error, StringComparison.Ordinal);
        Assert.Equal(401, (await StateAsync(bucket)).AdtechLastResponse("adtechA")!.Status);
    }

    [Fact]
    public async Task Run_InvalidStateFile_IsSkippedAndLeftAsItWas()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        var broken = SeedStates.Stage1Basic.Replace("TYPE_X", "TYPE_Q", StringComparison.Ordinal);
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), broken, null);

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));
        Assert.True(result.Skipped);
        Assert.Contains(result.Issues, i => i.Field == "demo_audience.adtechA.audience_type");
        Assert.Equal(broken, (await bucket.ReadTextAsync(AudienceCatalog.StatePath("demo_audience")))!.Text);
        Assert.Empty(sandbox.State.DataRequests);
    }

    [Fact]
    public async Task Run_EndpointIsAnAbsoluteUrl_IsSkippedAsInvalidAndFetchesNothing()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var elsewhere = await SandboxServer.StartAsync();
        var (host, bucket) = await StartAsync(sandbox);
        await using var _ = host;
        var hostile = SeedStates.Stage1Basic.Replace("endpoint: demo-endpoint/", $"endpoint: {elsewhere.BaseUrl}data/demo-endpoint/", StringComparison.Ordinal);
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), hostile, null);

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));

        Assert.True(result.Skipped);
        var issue = Assert.Single(result.Issues);
        Assert.Equal(("demo_audience.yml", "demo_audience.source.endpoint"), (issue.File, issue.Field));
        Assert.Empty(elsewhere.State.DataRequests);
        Assert.Empty(sandbox.State.DataRequests);
        Assert.Equal(hostile, (await bucket.ReadTextAsync(AudienceCatalog.StatePath("demo_audience")))!.Text);
    }
}
