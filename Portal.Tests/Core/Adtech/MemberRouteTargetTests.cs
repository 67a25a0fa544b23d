using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>AdtechA's and AdtechB's mirror targets: a remove is a DELETE of the add's body on the add's path, retried like an add.</summary>
public sealed class MemberRouteTargetTests
{
    private const string Yaml = "u:\n  description: d\n  country: IN\n  source: {endpoint: x}\n"
        + "  adtechA:\n    name: Synced A\n    audience_type: TYPE_X\n  adtechB:\n    name: Synced B\n";

    private static List<Member> Members(int count) => [.. Enumerable.Range(0, count).Select(i => new Member([$"member{i}@example.com"], [], []))];

    [Theory]
    [InlineData(AdtechKeys.AdtechA, "/members")]
    [InlineData(AdtechKeys.AdtechB, "/data")]
    public async Task RemoveAsync_AfterAnUnknownOutcome_RemovesTheMembersFromTheSameAudience(string adtech, string addPathEnd)
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var http = new AdtechHttp(new HttpClient(), new AdtechRetryOptions { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 }, TimeProvider.System);
        var token = sandbox.State.AccessToken;
        AdtechConnector connector = adtech == AdtechKeys.AdtechA ? new AdtechAConnector(http, TimeProvider.System) : new AdtechBConnector(http, TimeProvider.System);
        var connection = new AdtechConnection(adtech, new Uri(sandbox.BaseUrl), adtech == AdtechKeys.AdtechA ? "42" : null, token);
        var state = AudienceStateParser.Parse("u.yml", Yaml).State!;
        var members = Members(30);
        var outcome = await connector.UploadAsync(state, connection, members.ToAsyncEnumerable());
        Assert.True(outcome.Succeeded, outcome.Response.Message);
        var id = outcome.Id!;
        var normalization = connector.Normalization(state.RequireCountry());
        var stats = new HashStats();
        var leavers = members.Take(10).Select(m => stats.Hash(m, normalization)).ToList();
        sandbox.State.Faults.Enqueue(new SandboxFault($"/{id}{addPathEnd}", 503, AfterProcessing: true)); // applied, answer lost

        var answer = await ((IMirrorConnector)connector).MirrorTarget(connection, state, id).RemoveAsync(leavers, CancellationToken.None);

        Assert.True(answer.Accepted, answer.Message);
        Assert.Empty(sandbox.State.Faults);
        Assert.Equal(20, sandbox.State.Members.Of(id).Count);
        Assert.Single(sandbox.State.AudienceMembers.Keys);
        Assert.Contains(sandbox.State.Calls, c => c.Api == $"{adtech}:remove" && c.AudienceId == id);
    }
}
