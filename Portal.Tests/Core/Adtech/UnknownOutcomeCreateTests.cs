using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// A create whose answer is lost (the sandbox creates the audience, then drops the connection) is settled by looking the
/// audience up by its name, never by creating it again: the sandbox honours no idempotency key, as no real adtech does.
/// </summary>
public sealed class UnknownOutcomeCreateTests
{
    private const string Yaml = "u:\n  description: d\n  country: IN\n  source: {endpoint: x}\n"
        + "  adtechA:\n    name: Lost A\n    audience_type: TYPE_X\n  adtechB:\n    name: Lost B\n  meta:\n    name: Lost on Meta\n  googleAds:\n    name: Lost on Google\n";

    private static AudienceState State() => AudienceStateParser.Parse("u.yml", Yaml).State!;

    private static async IAsyncEnumerable<Member> Members(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new Member([$"member{i}@example.com"], [], []);
        }

        await Task.CompletedTask;
    }

    private static (AdtechConnector Connector, AdtechConnection Connection, string CreatePath, string Api) For(string adtech, SandboxServer sandbox)
    {
        var http = new AdtechHttp(new HttpClient(), new AdtechRetryOptions { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 }, TimeProvider.System);
        var token = sandbox.State.AccessToken;
        return adtech switch
        {
            AdtechKeys.AdtechA => (new AdtechAConnector(http, TimeProvider.System), new(adtech, new Uri(sandbox.BaseUrl), "42", token), "/adtech-a/v2/audiences", "adtechA"),
            AdtechKeys.AdtechB => (new AdtechBConnector(http, TimeProvider.System), new(adtech, new Uri(sandbox.BaseUrl), null, token), "/adtech-b/audiences", "adtechB"),
            AdtechKeys.Meta => (new MetaConnector(http, TimeProvider.System), new(adtech, new Uri(sandbox.MetaBaseUrl), "act_77", token), "/customaudiences", "meta"),
            _ => (new GoogleAdsConnector(http, TimeProvider.System, new GoogleAdsOptions { JobPollSeconds = 0.01 }),
                new(adtech, new Uri(sandbox.GoogleAdsBaseUrl), "123-456-7890", token) { DeveloperToken = sandbox.State.DeveloperToken }, "/userLists:mutate", "googleAds"),
        };
    }

    [Theory]
    [InlineData(AdtechKeys.AdtechA)]
    [InlineData(AdtechKeys.AdtechB)]
    [InlineData(AdtechKeys.Meta)]
    [InlineData(AdtechKeys.GoogleAds)]
    public async Task Upload_CreateAnswerLostWithTheConnection_FindsTheAudienceByNameAndEndsWithExactlyOne(string adtech)
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (connector, connection, createPath, api) = For(adtech, sandbox);
        sandbox.State.Faults.Enqueue(new SandboxFault(createPath, 200, AfterProcessing: true)); // applied, then the connection is dropped

        var outcome = await connector.UploadAsync(State(), connection, Members(30));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Empty(sandbox.State.Faults);
        var created = sandbox.State.Calls.Where(c => c.Api == api).Select(c => c.AudienceId).Distinct().ToList();
        Assert.Equal([outcome.Id!], created);
        Assert.Single(sandbox.State.AudienceMembers.Keys, k => k == outcome.Id);
        Assert.Equal(1, sandbox.State.AudienceNames.Count + sandbox.State.UserListNames.Count);
        Assert.Equal(30, sandbox.State.AudienceMembers[outcome.Id!]);
    }

    [Fact]
    public async Task Upload_CreateFailedBeforeTheAdtechAppliedIt_LooksUpFindsNoneAndCreatesOnce()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (connector, connection, _, _) = For(AdtechKeys.AdtechB, sandbox);
        sandbox.State.Faults.Enqueue(new SandboxFault("/adtech-b/audiences", 503));

        var outcome = await connector.UploadAsync(State(), connection, Members(5));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Single(sandbox.State.AudienceNames);
        Assert.Equal(5, sandbox.State.AudienceMembers[outcome.Id!]);
    }
}
