using System.Net;
using System.Text;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>Google Ads Customer Match against the sandbox on a real loopback HTTP server.</summary>
public sealed class GoogleAdsConnectorTests : DatabaseTest
{
    private const string Yaml = "g:\n  description: d\n  country: US\n  source:\n    endpoint: g/\n    params:\n      members: 12000\n  googleAds:\n    name: G\n    membership_life_span: 30\n";

    private static AudienceState State() => AudienceStateParser.Parse("g.yml", Yaml).State!;

    private static GoogleAdsConnector Connector() =>
        new(new AdtechHttp(new HttpClient(), new AdtechRetryOptions { BaseDelaySeconds = 0.05, TimeoutSeconds = 5 }, TimeProvider.System), TimeProvider.System,
            new GoogleAdsOptions { JobPollSeconds = 0.01 });

    private static AdtechConnection Connection(SandboxServer sandbox, string? developerToken = null) =>
        new(AdtechKeys.GoogleAds, new Uri(sandbox.GoogleAdsBaseUrl), "123-456-7890", sandbox.State.AccessToken)
        {
            DeveloperToken = developerToken ?? sandbox.State.DeveloperToken,
            LoginCustomerId = "999-000-1111",
        };

    private static async IAsyncEnumerable<Member> Members(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new Member([$"Member.{i}+news@Gmail.com"], [$"(415) 555-{i % 10_000:D4}"], ["94103"]);
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task CatalogRun_GoogleAdsBlock_CreatesOneListUploadsInCappedBatchesRunsTheJobAndWritesTheResourceName()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        await using var host = await CoreHost.StartAsync(Folder, settings: sandbox.Settings(Path.Combine(Folder.Path, "bucket")));
        var bucket = host.Get<IBucket>();
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("g"), Yaml, null);

        var result = Assert.Single(await host.Get<CatalogRunner>().RunAsync(null));

        Assert.Empty(result.Errors);
        Assert.Equal([AdtechKeys.GoogleAds], result.Uploaded);
        var state = AudienceStateParser.Parse("g.yml", (await bucket.ReadTextAsync(AudienceCatalog.StatePath("g")))!.Text).State!;
        var userList = state.AdtechId(AdtechKeys.GoogleAds)!;
        Assert.Matches("^customers/1234567890/userLists/[0-9]+$", userList);
        Assert.Equal(12_000, sandbox.State.AudienceMembers[userList]);
        Assert.Single(sandbox.State.AudienceMembers.Keys, k => k.Contains("/userLists/", StringComparison.Ordinal));
        var job = Assert.Single(sandbox.State.Jobs);
        Assert.True(job.Value.Ran);
        Assert.True(job.Value.Consented);
        Assert.Equal("SUCCESS", job.Value.Status);
        // Create list, open job, three batches of at most 5,000 users, run.
        Assert.Equal([0, 0, 5_000, 5_000, 2_000, 0], sandbox.State.Calls.Where(c => c.Api == "googleAds").Select(c => c.Members));
        Assert.Equal(200, state.AdtechLastResponse(AdtechKeys.GoogleAds)!.Status);
        Assert.StartsWith("Success: 12,000 members sent", state.AdtechLastResponse(AdtechKeys.GoogleAds)!.Message, StringComparison.Ordinal);
    }

    /// <summary>Google's answers on its real host: the list's and the job's resource names, an empty addOperations answer, the run's operation.</summary>
    private static (int, string) GoogleAnswer(RecordedRequest request) => request.Url switch
    {
        var u when u.EndsWith("/userLists:mutate", StringComparison.Ordinal) => (200, """{"results":[{"resourceName":"customers/1234567890/userLists/42"}]}"""),
        var u when u.EndsWith("/offlineUserDataJobs:create", StringComparison.Ordinal) => (200, """{"resourceName":"customers/1234567890/offlineUserDataJobs/9"}"""),
        var u when u.EndsWith(":run", StringComparison.Ordinal) => (200, """{"name":"customers/1234567890/operations/9"}"""),
        var u when u.EndsWith("/googleAds:search", StringComparison.Ordinal) =>
            (200, """{"results":[{"offlineUserDataJob":{"resourceName":"customers/1234567890/offlineUserDataJobs/9","status":"SUCCESS"}}]}"""),
        _ => (200, "{}"),
    };

    [Fact]
    public async Task Upload_OnGooglesRealHost_PostsToTheVersionedCustomerPaths()
    {
        var handler = new RecordingHandler(GoogleAnswer);
        var http = new AdtechHttp(new HttpClient(handler), new AdtechRetryOptions { BaseDelaySeconds = 0.01 }, TimeProvider.System);
        var connection = new AdtechConnection(AdtechKeys.GoogleAds, new Uri("https://googleads.googleapis.com/"), "123-456-7890", "token") { DeveloperToken = "dev" };

        var outcome = await new GoogleAdsConnector(http, TimeProvider.System).UploadAsync(State(), connection, Members(2));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Equal(
            [
                "https://googleads.googleapis.com/v24/customers/1234567890/userLists:mutate",
                "https://googleads.googleapis.com/v24/customers/1234567890/offlineUserDataJobs:create",
                "https://googleads.googleapis.com/v24/customers/1234567890/offlineUserDataJobs/9:addOperations",
                "https://googleads.googleapis.com/v24/customers/1234567890/offlineUserDataJobs/9:run",
                "https://googleads.googleapis.com/v24/customers/1234567890/googleAds:search",
            ],
            handler.Requests.Select(r => r.Url));
        Assert.All(handler.Requests, r => Assert.Equal("dev", r.Headers["developer-token"]));
    }

    [Fact]
    public async Task Upload_PartialFailure_CountsTheRejectedUsersAndKeepsTheRest()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.State.Faults.Enqueue(new SandboxFault(":addOperations", 200, PartialFailures: 3));

        var outcome = await Connector().UploadAsync(State(), Connection(sandbox), Members(7_000));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Equal(7_000, outcome.Sent);
        Assert.Equal(3, outcome.Failed);
        Assert.Equal(6_997, sandbox.State.AudienceMembers[outcome.Id!]);
        Assert.Contains("3 rejected by the adtech", outcome.Response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_WrongDeveloperToken_FailsAtOnceWithGooglesMessage()
    {
        await using var sandbox = await SandboxServer.StartAsync();

        var outcome = await Connector().UploadAsync(State(), Connection(sandbox, developerToken: "not-it"), Members(10));

        Assert.False(outcome.Succeeded);
        Assert.Equal(401, outcome.Response.Status);
        Assert.Contains("The developer token is not valid", outcome.Response.Message, StringComparison.Ordinal);
        Assert.Empty(sandbox.State.Calls);
    }

    [Fact]
    public async Task Sandbox_OverGooglesIdentifierCaps_Answers400AndAddsNothing()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var connector = Connector();
        var connection = Connection(sandbox);
        var outcome = await connector.UploadAsync(State(), connection, Members(0));
        var job = Assert.Single(sandbox.State.Jobs).Key;
        Assert.True(outcome.Succeeded, outcome.Response.Message);
        using var client = new HttpClient { BaseAddress = new Uri(sandbox.GoogleAdsBaseUrl) };

        async Task<HttpResponseMessage> AddAsync(int users, int identifiersEach)
        {
            var body = new StringBuilder("""{"enablePartialFailure":true,"operations":[""");
            var hash = new string('a', 64);
            for (var u = 0; u < users; u++)
            {
                body.Append(u == 0 ? "" : ",").Append("""{"create":{"userIdentifiers":[""");
                body.AppendJoin(',', Enumerable.Repeat($$"""{"hashedEmail":"{{hash}}"}""", identifiersEach)).Append("]}}");
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, $"v24/{job}:addOperations")
            {
                Content = new StringContent(body.Append("]}").ToString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", sandbox.State.AccessToken);
            request.Headers.Add("developer-token", sandbox.State.DeveloperToken);
            return await client.SendAsync(request);
        }

        var perUser = await AddAsync(1, 21);
        Assert.Equal(HttpStatusCode.BadRequest, perUser.StatusCode);
        Assert.Contains("TOO_MANY_USER_IDENTIFIERS", await perUser.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var perRequest = await AddAsync(5_001, 20);
        Assert.Equal(HttpStatusCode.BadRequest, perRequest.StatusCode);
        Assert.Contains("100,000", await perRequest.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await AddAsync(1, 1)).StatusCode); // the job has run: no more operations
        Assert.Equal(0, sandbox.State.Jobs[job].Pending);
    }

    [Fact]
    public async Task Upload_JobEndsFailed_RecordsFailedWithGooglesReasonAndLeavesTheNextRunANewJob()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.State.NextJobFailure = "PROCESSING_ERROR";
        sandbox.State.JobLooksWhileRunning = 3;
        var checkpoints = new List<UploadCheckpoint>();

        var outcome = await Connector().UploadAsync(State(), Connection(sandbox), Members(10), checkpoint: (c, _) =>
        {
            checkpoints.Add(c);
            return Task.CompletedTask;
        });

        Assert.False(outcome.Succeeded);
        Assert.Equal(422, outcome.Response.Status);
        Assert.Contains("The job FAILED: PROCESSING_ERROR", outcome.Response.Message, StringComparison.Ordinal);
        var job = Assert.Single(sandbox.State.Jobs).Value;
        Assert.Equal(("FAILED", 4), (job.Status, job.Looks)); // polled while RUNNING, to its end
        Assert.Equal((null, 0), (checkpoints[^1].Job, checkpoints[^1].CommittedBatches));
        Assert.NotNull(checkpoints[^1].AudienceId);
    }

    [Fact]
    public async Task Upload_ConcurrentModification_IsRetriedAndTheJobRuns()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.State.Faults.Enqueue(new SandboxFault(":run", 409, Body: new
        {
            error = new
            {
                code = 409,
                status = "ABORTED",
                message = "Multiple requests were attempting to modify the same resource at once. Retry the request.",
                details = new[] { new { errors = new[] { new { errorCode = new { databaseError = "CONCURRENT_MODIFICATION" } } } } },
            },
        }));

        var outcome = await Connector().UploadAsync(State(), Connection(sandbox), Members(10));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Empty(sandbox.State.Faults);
        Assert.Equal(10, sandbox.State.AudienceMembers[outcome.Id!]);
    }

    [Fact]
    public async Task Sandbox_LifeSpanOver540OrASecondListOfTheSameName_IsRefusedAsGoogleDoes()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(sandbox.GoogleAdsBaseUrl) };

        async Task<string> CreateAsync(string name, int days)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v24/customers/1234567890/userLists:mutate")
            {
                Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new
                {
                    operations = new[] { new { create = new { name, membershipLifeSpan = days, crmBasedUserList = new { uploadKeyType = "CONTACT_INFO" } } } },
                }), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", sandbox.State.AccessToken);
            request.Headers.Add("developer-token", sandbox.State.DeveloperToken);
            using var response = await client.SendAsync(request);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }

        Assert.StartsWith("400 ", await CreateAsync("Forever", 10_000), StringComparison.Ordinal);
        Assert.StartsWith("200 ", await CreateAsync("Once", 540), StringComparison.Ordinal);
        var again = await CreateAsync("Once", 30);
        Assert.StartsWith("400 ", again, StringComparison.Ordinal);
        Assert.Contains("NAME_ALREADY_USED", again, StringComparison.Ordinal);
    }
}
