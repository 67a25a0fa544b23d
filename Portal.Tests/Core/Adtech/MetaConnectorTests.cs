using Portal.Core.Adtech;
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
}
