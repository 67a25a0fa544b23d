using System.Text;
using System.Text.Json;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// Meta Custom Audiences: the requests pinned against the Graph API's documented shapes (on its real host, through a
/// recording handler), and the connector against the sandbox on a real loopback HTTP server.
/// </summary>
public sealed class MetaConnectorTests
{
    private const string Yaml = "m:\n  description: d\n  country: IN\n  source: {endpoint: x}\n  meta:\n    name: M\n";

    private static AudienceState State() => AudienceStateParser.Parse("m.yml", Yaml).State!;

    private static AdtechHttp Http(HttpMessageHandler? handler = null) =>
        new(handler is null ? new HttpClient() : new HttpClient(handler), new AdtechRetryOptions { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 }, TimeProvider.System);

    private static AdtechConnection Graph() => new(AdtechKeys.Meta, new Uri("https://graph.facebook.com/"), "act_1234", "token");

    private static async IAsyncEnumerable<Member> Members(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new Member([$"member{i}@example.com"], [$"+91 98{i:D8}"], ["560001"]);
        }

        await Task.CompletedTask;
    }

    /// <summary>Graph's answers: the new audience's id to a create, Meta's counts to an add.</summary>
    private static (int, string) GraphAnswer(RecordedRequest request) =>
        request.Url.EndsWith("/customaudiences", StringComparison.Ordinal)
            ? (200, """{"id":"23850000000001"}""")
            : (200, """{"audience_id":"23850000000001","session_id":"1","num_received":2,"num_invalid_entries":0,"invalid_entry_samples":{}}""");

    [Fact]
    public async Task Upload_OnGraphsRealHost_PostsToTheVersionedAdAccountAndAudiencePaths()
    {
        var handler = new RecordingHandler(GraphAnswer);

        var outcome = await new MetaConnector(Http(handler), TimeProvider.System).UploadAsync(State(), Graph(), Members(2));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Equal(
            ["POST https://graph.facebook.com/v25.0/act_1234/customaudiences", "POST https://graph.facebook.com/v25.0/23850000000001/users"],
            handler.Requests.Select(r => $"{r.Method} {r.Url}"));
    }

    [Fact]
    public async Task Upload_ConfiguredApiVersion_IsTheFirstSegmentOfEveryPath()
    {
        var handler = new RecordingHandler(GraphAnswer);
        var connector = new MetaConnector(Http(handler), TimeProvider.System, new MetaOptions { ApiVersion = "v23.0" });

        await connector.UploadAsync(State(), Graph() with { AccountId = "1234" }, Members(1));

        Assert.All(handler.Requests, r => Assert.StartsWith("https://graph.facebook.com/v23.0/", r.Url, StringComparison.Ordinal));
        Assert.Equal("https://graph.facebook.com/v23.0/act_1234/customaudiences", handler.Requests[0].Url);
    }

    [Fact]
    public async Task Upload_ThroughTheSandbox_ReachesItsRealGraphPaths()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var connection = new AdtechConnection(AdtechKeys.Meta, new Uri(sandbox.MetaBaseUrl), "act_77", sandbox.State.AccessToken);

        var outcome = await new MetaConnector(Http(), TimeProvider.System).UploadAsync(State(), connection, Members(3));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Equal(3, sandbox.State.AudienceMembers[outcome.Id!]);
    }

    [Theory]
    [InlineData(4, 400)]
    [InlineData(17, 400)]
    [InlineData(32, 403)]
    [InlineData(613, 400)]
    [InlineData(80003, 400)]
    public async Task Upload_ThrottledWithARateLimitCodeInTheBody_WaitsAndSendsTheBatchAgain(int code, int status)
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.State.Faults.Enqueue(SandboxFault.MetaThrottled("/users", code, status));
        var connection = new AdtechConnection(AdtechKeys.Meta, new Uri(sandbox.MetaBaseUrl), "act_77", sandbox.State.AccessToken);

        var outcome = await new MetaConnector(Http(), TimeProvider.System).UploadAsync(State(), connection, Members(10));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Empty(sandbox.State.Faults);
        Assert.Equal(10, sandbox.State.AudienceMembers[outcome.Id!]);
    }

    [Fact]
    public async Task Upload_RefusedWithANonThrottlingCode_FailsAtOnce()
    {
        var handler = new RecordingHandler(r => r.Url.EndsWith("/users", StringComparison.Ordinal)
            ? (400, """{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100,"is_transient":false}}""")
            : GraphAnswer(r));

        var outcome = await new MetaConnector(Http(handler), TimeProvider.System).UploadAsync(State(), Graph(), Members(1));

        Assert.Equal((false, 400), (outcome.Succeeded, outcome.Response.Status));
        Assert.Single(handler.Requests, r => r.Url.EndsWith("/users", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_CountsAnsweredAsNumericStrings_AreRead()
    {
        var handler = new RecordingHandler(r => r.Url.EndsWith("/users", StringComparison.Ordinal)
            ? (200, """{"audience_id":"23850000000001","num_received":"4","num_invalid_entries":"3"}""")
            : GraphAnswer(r));

        var outcome = await new MetaConnector(Http(handler), TimeProvider.System).UploadAsync(State(), Graph(), Members(4));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Equal(3, outcome.Failed);
        Assert.Equal(3, MetaConnector.Count(JsonNode("\"3\"")));
        Assert.Equal(5, MetaConnector.Count(JsonNode("5")));
    }

    private static System.Text.Json.Nodes.JsonNode? JsonNode(string json) => System.Text.Json.Nodes.JsonNode.Parse(json);

    [Fact]
    public void Payload_MemberWithSeveralEmailsAndPhones_TakesARowForEachPairUpToFive()
    {
        var member = new HashedMember(["e1", "e2", "e3"], ["p1"], ["z1"]);
        var many = new HashedMember([.. Enumerable.Range(1, 7).Select(i => $"e{i}")], [], []);
        var country = MemberNormalizer.Sha256Hex("in");

        using var document = JsonDocument.Parse(new MetaConnector(Http(), TimeProvider.System).Payload(State(), [member, many], create: false));

        var rows = document.RootElement.GetProperty("payload").GetProperty("data").EnumerateArray()
            .Select(r => string.Join(",", r.EnumerateArray().Select(v => v.GetString() == country ? "IN" : v.GetString()))).ToList();
        Assert.Equal(["e1,p1,z1,IN", "e2,,z1,IN", "e3,,z1,IN", "e1,,,IN", "e2,,,IN", "e3,,,IN", "e4,,,IN", "e5,,,IN"], rows);
    }

    [Fact]
    public async Task Upload_ManyBatches_CarryOneSessionNumberedFromOneWithTheLastFlaggedOnTheLast()
    {
        var handler = new RecordingHandler(GraphAnswer);
        var start = UploadStart.Fresh() with { EstimatedMembers = 4_500 };

        var outcome = await new MetaConnector(Http(handler), TimeProvider.System).UploadAsync(State(), Graph(), Members(4_500), start);

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        var sessions = handler.Requests.Where(r => r.Url.EndsWith("/users", StringComparison.Ordinal))
            .Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("session")).ToList();
        var id = MetaConnector.SessionId(start.ExportKey);
        Assert.Equal(
            [$"{id} 1 False 4500", $"{id} 2 False 4500", $"{id} 3 True 4500"],
            sessions.Select(s => $"{s.GetProperty("session_id").GetInt64()} {s.GetProperty("batch_seq").GetInt32()} {s.GetProperty("last_batch_flag").GetBoolean()} {s.GetProperty("estimated_num_total").GetInt64()}"));
    }

    [Theory]
    [InlineData(4_500, "1 False,2 False,3 True")]
    [InlineData(4_000, "1 False,2 True")]
    public async Task Upload_FromAMemberFile_ReadIntoBatchesFlagsOnlyTheLastBatch(int members, string expected)
    {
        using var folder = new TestFolder();
        var bucket = new LocalBucket(folder.Path);
        await MemberFile.WriteAsync(bucket, "m", Members(members).ToBlockingEnumerable());
        var handler = new RecordingHandler(GraphAnswer);

        var outcome = await new MetaConnector(Http(handler), TimeProvider.System).UploadAsync(State(), Graph(), MemberFile.Members(bucket, "m"));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Equal(members, outcome.Sent);
        var sessions = handler.Requests.Where(r => r.Url.EndsWith("/users", StringComparison.Ordinal))
            .Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("session")).ToList();
        Assert.Equal(expected, string.Join(",", sessions.Select(s => $"{s.GetProperty("batch_seq").GetInt32()} {s.GetProperty("last_batch_flag").GetBoolean()}")));
    }

    [Fact]
    public async Task Upload_ResumedAfterTwoBatches_ContinuesTheSameSessionAtTheThirdAndEndsIt()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var connection = new AdtechConnection(AdtechKeys.Meta, new Uri(sandbox.MetaBaseUrl), "act_77", sandbox.State.AccessToken);
        var connector = new MetaConnector(Http(), TimeProvider.System);
        var first = await connector.UploadAsync(State(), connection, Members(0));
        var start = new UploadStart("export-1", AudienceId: first.Id, CommittedBatches: 2);

        var outcome = await connector.UploadAsync(State(), connection, Members(4_100), start);

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        var session = Assert.Single(sandbox.State.MetaSessions);
        Assert.Equal($"{first.Id}/{MetaConnector.SessionId("export-1")}", session.Key);
        Assert.Equal((1, 3, true), (session.Value.Batches, session.Value.HighestSequence, session.Value.Ended));
        Assert.Equal(100, sandbox.State.AudienceMembers[first.Id!]);
    }

    [Fact]
    public async Task Sandbox_BatchAfterTheSessionsLast_IsRefused()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var connection = new AdtechConnection(AdtechKeys.Meta, new Uri(sandbox.MetaBaseUrl), "act_77", sandbox.State.AccessToken);
        var outcome = await new MetaConnector(Http(), TimeProvider.System).UploadAsync(State(), connection, Members(1), new UploadStart("k"));
        using var client = new HttpClient { BaseAddress = new Uri(sandbox.MetaBaseUrl) };
        var body = $$$"""{"session":{"session_id":{{{MetaConnector.SessionId("k")}}},"batch_seq":2,"last_batch_flag":true},"payload":{"schema":["EMAIL"],"data":[["{{{new string('a', 64)}}}"]]}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v25.0/{outcome.Id}/users") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", sandbox.State.AccessToken);

        using var response = await client.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("The session has ended", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
