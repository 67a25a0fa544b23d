using System.Globalization;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Rules;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Web.Components.Rules;

/// <summary>The rule editor's impact panel on the demo data: the figures per audience and adtech, its empty state, its progress bar.</summary>
public sealed class RuleImpactPanelTests : DatabaseTest
{
    private const string Audience = """
        tier_one:
          description: Tier one customers.
          source:
            segment: Tier one
          adtechB:
            name: Tier one
            id: '4242'
            expiration_time: 1000
        """;

    private static async Task<Rule> TierOneAsync(CoreHost host)
    {
        var rule = await host.SaveRuleAsync(Tier("Tier one", "1"));
        await host.RefreshRuleAsync(rule.Id);
        return rule;
    }

    private static async Task<int> UsersInTierAsync(CoreHost host, int tier)
    {
        await using var db = await host.DbAsync();
        return await db.Customers.CountAsync(c => c.CityTier == tier);
    }

    private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Panel_DraftOfARuleFeedingAnAudience_ShowsWhatTheAdtechWouldGainAndLose()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var rule = await TierOneAsync(host);
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("tier_one"), Audience, null);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);

        var panel = ctx.Render<RuleImpactPanel>(p => p.Add(x => x.Draft, Tier("Tier one", "2")).Add(x => x.RuleId, rule.Id).Add(x => x.Debounce, TimeSpan.Zero));

        await panel.WaitForAssertionAsync(() => panel.Find("tr[aria-label='tier_one at AdtechB']"));
        var row = panel.Find("tr[aria-label='tier_one at AdtechB']");
        Assert.Equal("+" + Count(await UsersInTierAsync(host, 2)), row.QuerySelector("td[aria-label='Added']")!.TextContent.Trim());
        Assert.Equal("−" + Count(await UsersInTierAsync(host, 1)), row.QuerySelector("td[aria-label='Removed']")!.TextContent.Trim());
        Assert.Empty(panel.FindAll("[aria-label='Computing impact']"));
    }

    [Fact]
    public async Task Panel_RuleFeedingNoAudience_SaysSo()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var rule = await TierOneAsync(host);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);

        var panel = ctx.Render<RuleImpactPanel>(p => p.Add(x => x.Draft, Tier("Tier one", "2")).Add(x => x.RuleId, rule.Id).Add(x => x.Debounce, TimeSpan.Zero));

        await panel.WaitForAssertionAsync(() => Assert.Contains("This rule's segment feeds no audience.", panel.Find("[aria-label='Impact on audiences']").TextContent, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("table"));
    }

    [Fact]
    public async Task Panel_ComputationOverTheThreshold_ShowsProgressUntilTheFiguresCome()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var rule = await TierOneAsync(host);
        // The gate wraps the host's own bucket folder: the audience index is one per database, so a second folder's
        // reconcile would race the host's (each removing what the other's folder lacks).
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("tier_one"), Audience, null);
        var bucket = new GatedBucket(((LocalBucket)host.Get<IBucket>()).Root);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Services.AddSingleton(new SegmentImpact(host.Get<IDbContextFactory<PortalDbContext>>(), AudienceQueries.Standalone(host.Get<IDbContextFactory<PortalDbContext>>(), bucket), host.Get<TimeProvider>()));

        var panel = ctx.Render<RuleImpactPanel>(p => p.Add(x => x.Draft, Tier("Tier one", "2")).Add(x => x.RuleId, rule.Id)
            .Add(x => x.Debounce, TimeSpan.Zero).Add(x => x.ProgressAfter, TimeSpan.FromMilliseconds(50)));

        await panel.WaitForAssertionAsync(() => panel.Find("[aria-label='Computing impact']"));
        Assert.Empty(panel.FindAll("tr[aria-label='tier_one at AdtechB']"));
        bucket.Open();
        await panel.WaitForAssertionAsync(() => panel.Find("tr[aria-label='tier_one at AdtechB']"));
        Assert.Empty(panel.FindAll("[aria-label='Computing impact']"));
    }

    [Fact]
    public async Task EditorPage_SavedRuleFeedingAnAudience_ShowsTheImpactBesideTheEstimate()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var rule = await TierOneAsync(host);
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("tier_one"), Audience, null);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);

        var page = ctx.Render<RuleEditorPage>(p => p.Add(x => x.Id, rule.Id));

        // The draft is the saved rule: nothing would change.
        await page.WaitForAssertionAsync(() => page.Find("[aria-label='Rule preview'] tr[aria-label='tier_one at AdtechB']"), TimeSpan.FromSeconds(10));
        var row = page.Find("tr[aria-label='tier_one at AdtechB']");
        Assert.Equal(("+0", "−0"), (row.QuerySelector("td[aria-label='Added']")!.TextContent.Trim(), row.QuerySelector("td[aria-label='Removed']")!.TextContent.Trim()));
    }

    /// <summary>A bucket whose listing waits until the test opens it: the impact computation is held at its start.</summary>
    private sealed class GatedBucket(string path) : LocalBucketDecorator(path)
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public override async IAsyncEnumerable<BucketItem> ListAsync(string prefix,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await _open.Task.WaitAsync(cancellationToken);
            await foreach (var item in Inner.ListAsync(prefix, cancellationToken))
            {
                yield return item;
            }
        }
    }
}
