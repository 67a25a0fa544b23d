using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// A create whose answer was lost and could not be settled in its run (the lookup by name failed too) is settled by the
/// next run, which looks the audience up by its name before creating: the sandbox, which honours no idempotency key,
/// ends with one audience holding every member.
/// </summary>
public sealed class UnknownOutcomeCreateAcrossRunsTests : DatabaseTest
{
    private const string Source = "  description: d\n  country: IN\n  source:\n    endpoint: lost/\n    params:\n      members: 30\n";

    private static string Yaml(string adtech) => "lost:\n" + Source + adtech switch
    {
        AdtechKeys.AdtechA => "  adtechA:\n    name: Lost A\n    audience_type: TYPE_X\n",
        AdtechKeys.AdtechB => "  adtechB:\n    name: Lost B\n",
        AdtechKeys.Meta => "  meta:\n    name: Lost on Meta\n",
        _ => "  googleAds:\n    name: Lost on Google\n",
    };

    /// <summary>How many audiences the sandbox created, through any API.</summary>
    private static int Created(SandboxServer sandbox) => sandbox.State.AudienceMembers.Count + sandbox.State.DataManager.Creates;

    private static int Held(SandboxServer sandbox, string id) =>
        sandbox.State.DataManager.Exists(id) ? sandbox.State.DataManager.Members(id).Count : sandbox.State.AudienceMembers[id];

    [Theory]
    [InlineData(AdtechKeys.AdtechA, null, "/adtech-a/v2/audiences", "/adtech-a/v2/audiences", 1)]
    [InlineData(AdtechKeys.AdtechB, null, "/adtech-b/audiences", "/adtech-b/audiences", 1)]
    [InlineData(AdtechKeys.Meta, null, "/customaudiences", "/customaudiences", 1)]
    [InlineData(AdtechKeys.GoogleAds, "googleAds", "/userLists:mutate", "/googleAds:search", 4)]
    [InlineData(AdtechKeys.GoogleAds, "dataManager", "/userLists", "/userLists", 1)]
    public async Task CatalogRun_CreateAnswerLostAndLookupFailed_NextRunFindsTheAudienceAndCreatesNoSecond(
        string adtech, string? api, string createPath, string lookupPath, int lookupAttempts)
    {
        await using var env = await SandboxHost.StartAsync(Folder, api == "dataManager" ? SandboxServer.UseDataManager : null);
        await env.Host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("lost"), Yaml(adtech), null);
        env.Sandbox.State.Faults.Enqueue(new SandboxFault(createPath, 200, AfterProcessing: true)); // applied, then the connection is dropped
        for (var i = 0; i < lookupAttempts; i++)
        {
            env.Sandbox.State.Faults.Enqueue(new SandboxFault(lookupPath, 500));
        }

        var first = Assert.Single(await env.Host.Get<CatalogRunner>().RunAsync(null));
        Assert.Empty(first.Uploaded);
        Assert.Empty(env.Sandbox.State.Faults);
        Assert.Equal(1, Created(env.Sandbox));

        var second = Assert.Single(await env.Host.Get<CatalogRunner>().RunAsync(null));

        Assert.Equal([adtech], second.Uploaded);
        Assert.Equal(1, Created(env.Sandbox));
        var text = await env.Host.Get<IBucket>().ReadTextAsync(AudienceCatalog.StatePath("lost"));
        var id = AudienceStateParser.Parse("lost.yml", text!.Text).State!.AdtechId(adtech)!;
        Assert.Equal(30, Held(env.Sandbox, id));
    }
}
