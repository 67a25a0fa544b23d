using Microsoft.EntityFrameworkCore;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Segments;

public sealed class SegmentEstimatorTests : DatabaseTest
{
    private static readonly DateTimeOffset Now = RuleHostExtensions.DemoNow;

    private Task<CoreHost> HostAsync() => RuleHostExtensions.StartWithDemoDataAsync(Folder);

    [Fact]
    public async Task Estimate_UnsavedDraft_CountsTheRuleEachBlockAndPreviewsMembers()
    {
        await using var host = await HostAsync();
        var draft = RuleDraft.Empty("") with
        {
            Root = And("root",
                Attr("c1", RuleFields.CityTier, ConditionOperator.Lte, "2"),
                Or("g1",
                    Spend("c2", ConditionOperator.Gt, "3000", 365, TransactionSource.CreditCard),
                    Attr("c3", RuleFields.EmailDomain, ConditionOperator.Eq, "gmail.com"))),
        };

        var estimate = await host.Get<SegmentEstimator>().EstimateAsync(draft);

        Assert.True(estimate.Ok, string.Join("; ", estimate.Issues));
        await using var db = await host.DbAsync();
        var users = await db.Customers.AsNoTracking().ToListAsync();
        var from = Now.UtcDateTime.AddDays(-365);
        var spend = (await db.CreditCardTransactions.AsNoTracking().ToListAsync())
            .Where(t => t.TransactionDate >= from && t.TransactionDate <= Now.UtcDateTime)
            .GroupBy(t => t.UserId).ToDictionary(g => g.Key, g => g.Sum(t => t.Amount));
        bool Tier(long id) => users.Single(u => u.UserId == id).CityTier <= 2;
        bool Either(long id) => spend.GetValueOrDefault(id) > 3000 || users.Single(u => u.UserId == id).Email.EndsWith("@gmail.com", StringComparison.Ordinal);
        var members = users.Select(u => u.UserId).Where(id => Tier(id) && Either(id)).Order().ToList();
        Assert.InRange(members.Count, 26, users.Count - 1);
        Assert.Equal(members.Count, estimate.Total);
        Assert.Equal(new Dictionary<string, long> { ["c1"] = users.Count(u => Tier(u.UserId)), ["g1"] = users.Count(u => Either(u.UserId)) }, estimate.Children);
        Assert.Equal(members.Take(SegmentEstimator.PreviewSize), estimate.Preview.Select(p => p.UserId));
        var first = users.Single(u => u.UserId == members[0]);
        Assert.Equal(new SegmentSampleRow(first.UserId, first.Name, first.Email, first.City, first.CityTier), estimate.Preview[0]);
        Assert.Contains("u.city_tier <= 2", estimate.Sql, StringComparison.Ordinal);
        Assert.Contains(Folder.Provider == Portal.Core.Data.DatabaseProvider.Sqlite ? "= 'gmail.com' COLLATE NOCASE" : "= LOWER('gmail.com')", estimate.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Estimate_CombinedDraft_CountsTheSetOperationOverSavedSegments()
    {
        await using var host = await HostAsync();
        var tier1 = await host.SaveRuleAsync(Draft("Tier 1") with { Schedule = null });
        await host.RefreshRuleAsync(tier1.Id);
        var draft = RuleDraft.Empty("") with
        {
            Root = And("root", Attr("c1", RuleFields.EmailDomain, ConditionOperator.Eq, "gmail.com")),
            DependsOn = [tier1.Id],
            Operation = SetOperation.Difference,
        };

        var estimate = await host.Get<SegmentEstimator>().EstimateAsync(draft);

        await using var db = await host.DbAsync();
        var users = await db.Customers.AsNoTracking().ToListAsync();
        Assert.Equal(users.Count(u => u.CityTier == 1 && !u.Email.EndsWith("@gmail.com", StringComparison.Ordinal)), estimate.Total);
        Assert.Equal(users.Count(u => u.Email.EndsWith("@gmail.com", StringComparison.Ordinal)), estimate.Children["c1"]);
        Assert.StartsWith("SELECT m.user_id FROM segment_members m WHERE m.segment_id = ", estimate.Sql, StringComparison.Ordinal);
        Assert.All(estimate.Preview, p => Assert.Equal(1, p.CityTier));
    }

    [Fact]
    public async Task Estimate_UnfinishedDraft_SaysWhatIsMissingInsteadOfFigures()
    {
        await using var host = await HostAsync();
        var draft = RuleDraft.Empty("") with { Root = And("root", Attr("c1", RuleFields.CityTier, ConditionOperator.Between, "1")) };

        var estimate = await host.Get<SegmentEstimator>().EstimateAsync(draft);

        Assert.False(estimate.Ok);
        Assert.Null(estimate.Total);
        var issue = Assert.Single(estimate.Issues);
        Assert.Equal(("c1", "values"), (issue.NodeId, issue.Field));
    }
}
