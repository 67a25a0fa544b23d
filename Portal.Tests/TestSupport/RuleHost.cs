using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Tests.TestSupport;

/// <summary>A core host for rule and segment tests (its audience bucket, like every CoreHost's, inside the test folder), and saving rules on it.</summary>
public static class RuleHost
{
    public static Task<CoreHost> StartAsync(TestFolder folder) => CoreHost.StartAsync(folder);

    /// <summary>Saves a new rule as a marketer (failing the test with the issues if it is refused); returns it with its segment's id.</summary>
    public static async Task<(Rule Rule, long Segment)> SaveAsync(CoreHost host, RuleDraft draft)
    {
        var result = await host.Get<RuleService>().SaveAsync(null, draft, null, CoreHost.Marketer);
        Assert.True(result.Saved, string.Join("; ", result.Issues));
        return (result.Rule!, await SegmentData.SegmentOfRuleAsync(host.Services, result.Rule!.Id));
    }
}
