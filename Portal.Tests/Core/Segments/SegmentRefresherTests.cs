using Microsoft.EntityFrameworkCore;
using Portal.Core.Customers;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Segments;

public sealed class SegmentRefresherTests : DatabaseTest
{
    private static readonly DateTimeOffset Now = RuleHostExtensions.DemoNow;

    private Task<CoreHost> HostAsync() => RuleHostExtensions.StartWithDemoDataAsync(Folder);

    private static async Task<List<long>> UsersAsync(CoreHost host, Func<Customer, bool> where)
    {
        await using var db = await host.DbAsync();
        return (await db.Customers.AsNoTracking().ToListAsync()).Where(where).Select(c => c.UserId).Order().ToList();
    }

    [Fact]
    public async Task Refresh_Rule_StoresMembersAndRecordsCatalogAndHistory()
    {
        await using var host = await HostAsync();
        var rule = await host.SaveRuleAsync(Tier("Tier 1", "1"));

        var report = await host.RefreshRuleAsync(rule.Id);

        var segment = await host.SegmentOfAsync(rule.Id);
        var expected = await UsersAsync(host, c => c.CityTier == 1);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await host.MembersAsync(segment.Id));
        Assert.Equal((SegmentStatus.Fresh, expected.Count, Now.UtcDateTime, (string?)null), (segment.Status, (int)segment.RowCount, segment.LastRefreshedAt!.Value, segment.LastError));
        Assert.NotNull(segment.LastDurationMs);
        Assert.StartsWith("DELETE FROM segment_members WHERE segment_id = @segment_id;\nINSERT INTO segment_members (segment_id, user_id)\nSELECT @segment_id, q.user_id FROM (\nSELECT u.user_id FROM users u\nWHERE (u.city_tier = @p0)\n) q;", segment.SqlQuery, StringComparison.Ordinal);
        Assert.Contains($"-- @segment_id = {segment.Id}\n-- @p0 = 1", segment.SqlQuery, StringComparison.Ordinal);
        Assert.Equal(report.Target, new SegmentRefreshOutcome(segment.Id, rule.Id, "Tier 1", true, expected.Count, report.Target.DurationMs, null));
        await using var db = await host.DbAsync();
        var history = await db.SegmentRefreshes.SingleAsync(r => r.SegmentId == segment.Id);
        Assert.Equal((true, (long?)expected.Count, segment.SqlQuery, (string?)null), (history.Succeeded, history.RowCount, history.SqlQuery, history.Error));
    }

    [Fact]
    public async Task Refresh_AfterTheRuleChanged_ReplacesTheMembers()
    {
        await using var host = await HostAsync();
        var rule = await host.SaveRuleAsync(Tier("Tiers", "1"));
        await host.RefreshRuleAsync(rule.Id);
        await host.SaveRuleAsync(Tier("Tiers", "2"), rule.Id);
        Assert.Equal(SegmentStatus.Stale, (await host.SegmentOfAsync(rule.Id)).Status);

        await host.RefreshRuleAsync(rule.Id);

        var segment = await host.SegmentOfAsync(rule.Id);
        Assert.Equal(await UsersAsync(host, c => c.CityTier == 2), await host.MembersAsync(segment.Id));
        await using var db = await host.DbAsync();
        Assert.Equal(2, await db.SegmentRefreshes.CountAsync(r => r.SegmentId == segment.Id && r.Succeeded));
    }

    [Fact]
    public async Task Refresh_FailingInsert_RollsBackKeepsPreviousMembersAndRecordsTheError()
    {
        await using var host = await HostAsync();
        var rule = await host.SaveRuleAsync(Tier("Tier 1", "1"));
        await host.RefreshRuleAsync(rule.Id);
        var segment = await host.SegmentOfAsync(rule.Id);
        var before = await host.MembersAsync(segment.Id);
        await host.SaveRuleAsync(Tier("Tier 1", "3"), rule.Id);
        await using (var db = await host.DbAsync())
        {
            // Fails the INSERT half-way, after the DELETE has run in the same transaction.
            await FailureTriggers.CreateAsync(db, "fail_members", "segment_members", "disk on fire", when: "NEW.user_id > 50");
        }

        var report = await host.RefreshRuleAsync(rule.Id);

        Assert.False(report.Target.Succeeded);
        Assert.Contains("disk on fire", report.Target.Error, StringComparison.Ordinal);
        Assert.Equal(before, await host.MembersAsync(segment.Id));
        var failed = await host.SegmentOfAsync(rule.Id);
        Assert.Equal((SegmentStatus.Failed, (long)before.Count), (failed.Status, failed.RowCount));
        Assert.Contains("disk on fire", failed.LastError, StringComparison.Ordinal);
        await using (var db = await host.DbAsync())
        {
            var history = await db.SegmentRefreshes.Where(r => r.SegmentId == segment.Id).OrderBy(r => r.Id).ToListAsync();
            Assert.Equal([true, false], history.Select(h => h.Succeeded));
            Assert.Contains("disk on fire", history[1].Error, StringComparison.Ordinal);
            Assert.Contains("INSERT INTO segment_members", history[1].SqlQuery, StringComparison.Ordinal);
            await FailureTriggers.DropAsync(db, "fail_members", "segment_members");
        }

        Assert.True((await host.RefreshRuleAsync(rule.Id)).Target.Succeeded);
        Assert.Equal(await UsersAsync(host, c => c.CityTier == 3), await host.MembersAsync(segment.Id));
        Assert.Null((await host.SegmentOfAsync(rule.Id)).LastError);
    }

    [Fact]
    public async Task Refresh_CombinedRule_RefreshesItsNeverRunDependenciesFirst()
    {
        await using var host = await HostAsync();
        var tier1 = await host.SaveRuleAsync(Tier("Tier 1", "1"));
        var gmail = await host.SaveRuleAsync(Draft("Gmail", And("root", Attr("c1", RuleFields.EmailDomain, ConditionOperator.Eq, "GMAIL.com"))) with { Schedule = null });
        var both = await host.SaveRuleAsync(Draft("Tier 1 on gmail", And("root")) with { Schedule = null, DependsOn = [tier1.Id, gmail.Id], Operation = SetOperation.Intersection });

        var report = await host.RefreshRuleAsync(both.Id);

        Assert.Equal([tier1.Id, gmail.Id, both.Id], report.Refreshed.Select(r => r.RuleId));
        Assert.All(report.Refreshed, r => Assert.True(r.Succeeded, r.Error));
        var expected = await UsersAsync(host, c => c.CityTier == 1 && c.Email.EndsWith("@gmail.com", StringComparison.Ordinal));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await host.MembersAsync((await host.SegmentOfAsync(both.Id)).Id));
        Assert.Empty(report.StaleDependents);
    }

    [Fact]
    public async Task Refresh_Parent_MarksWhatReadsItStaleAndSaysSo()
    {
        await using var host = await HostAsync();
        var tier1 = await host.SaveRuleAsync(Tier("Tier 1", "1"));
        var tier2 = await host.SaveRuleAsync(Tier("Tier 2", "2"));
        var union = await host.SaveRuleAsync(Draft("Tier 1 or 2", And("root")) with { Schedule = null, DependsOn = [tier1.Id, tier2.Id], Operation = SetOperation.Union });
        var tier1Segment = await host.SegmentOfAsync(tier1.Id);
        var notTier1 = await host.SaveRuleAsync(Draft("Not tier 1", And("root", new SegmentCondition("c1", false, tier1Segment.Id, ConditionOperator.NotIn))) with { Schedule = null });
        var onTop = await host.SaveRuleAsync(Draft("On top", And("root")) with { Schedule = null, DependsOn = [union.Id, notTier1.Id], Operation = SetOperation.Difference });
        await host.RefreshRuleAsync(onTop.Id);
        Assert.Equal(SegmentStatus.Fresh, (await host.SegmentOfAsync(onTop.Id)).Status);
        Assert.Equal(await UsersAsync(host, c => c.CityTier == 1), await host.MembersAsync((await host.SegmentOfAsync(onTop.Id)).Id));

        var report = await host.RefreshRuleAsync(tier1.Id);

        Assert.Equal([union.Id, notTier1.Id, onTop.Id], report.StaleDependents);
        foreach (var id in report.StaleDependents)
        {
            var segment = await host.SegmentOfAsync(id);
            Assert.Equal((SegmentStatus.Stale, (DateTime?)Now.UtcDateTime), (segment.Status, segment.StaleSince));
        }

        Assert.Equal(SegmentStatus.Fresh, (await host.SegmentOfAsync(tier2.Id)).Status);
        var again = await host.RefreshRuleAsync(onTop.Id);
        Assert.Equal([union.Id, notTier1.Id, onTop.Id], again.Refreshed.Select(r => r.RuleId));
    }

    [Fact]
    public async Task Refresh_DependencyFails_FailsTheCombinedSegmentAndSaysWhich()
    {
        await using var host = await HostAsync();
        var tier1 = await host.SaveRuleAsync(Tier("Tier 1", "1"));
        var tier2 = await host.SaveRuleAsync(Tier("Tier 2", "2"));
        var union = await host.SaveRuleAsync(Draft("Tier 1 or 2", And("root")) with { Schedule = null, DependsOn = [tier1.Id, tier2.Id], Operation = SetOperation.Union });
        await using (var db = await host.DbAsync())
        {
            await db.Rules.Where(r => r.Id == tier2.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Conditions, "{\"version\": 1, \"root\": 12}"));
        }

        var report = await host.RefreshRuleAsync(union.Id);

        Assert.Equal([(tier1.Id, true), (tier2.Id, false), (union.Id, false)], report.Refreshed.Select(r => (r.RuleId, r.Succeeded)));
        var segment = await host.SegmentOfAsync(union.Id);
        Assert.Equal(SegmentStatus.Failed, segment.Status);
        Assert.Contains("'Tier 2', which this one reads, failed to refresh: root: expected an object", segment.LastError, StringComparison.Ordinal);
        Assert.Equal(SegmentStatus.Failed, (await host.SegmentOfAsync(tier2.Id)).Status);
        Assert.Empty(await host.MembersAsync(segment.Id));
    }

    private static readonly DateTime Joined = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static Customer Person(long id, string name, string email) =>
        new() { UserId = id, Name = name, Email = email, Phone = "", ZipCode = "", City = "Mumbai", CityTier = 1, CreatedAt = Joined };

    /// <summary>Saves and refreshes a rule of these conditions; returns its members among the test's own customers (ids over 9000).</summary>
    private static async Task<List<long>> OwnMembersAsync(CoreHost host, string name, params ConditionNode[] conditions)
    {
        var rule = await host.SaveRuleAsync(Draft(name, And("root", conditions)) with { Schedule = null });
        Assert.True((await host.RefreshRuleAsync(rule.Id)).Target.Succeeded);
        return (await host.MembersAsync((await host.SegmentOfAsync(rule.Id)).Id)).Where(id => id > 9000).ToList();
    }

    [Fact]
    public async Task Refresh_SumsAndAverages_CompareExactlyDespiteRealAmounts()
    {
        await using var host = await HostAsync();
        await using (var db = await host.DbAsync())
        {
            db.Customers.AddRange(Person(9001, "a", "a@x.in"), Person(9002, "b", "b@x.in"));
            // 0.10 + 0.20 is not 0.30 in binary floating point; refunds make negative sums.
            var id = 900_000L;
            foreach (var (user, amount) in new[] { (9001L, 0.10m), (9001L, 0.20m), (9001L, 0.20m), (9002L, -10.10m), (9002L, -0.20m) })
            {
                db.UpiTransactions.Add(new UpiTransaction { TransactionId = ++id, UserId = user, Amount = amount, Description = "Refund", Category = "Odd", TransactionDate = Joined });
            }

            await db.SaveChangesAsync();
        }

        AggregateCondition Is(AggregateFunction function, string value) =>
            new("c1", false, function, TransactionSource.Upi, ["Odd"], [], AggregateWindow.Rule, ConditionOperator.Eq, [value]);
        Assert.Equal([9001L], await OwnMembersAsync(host, "sum 0.5", Is(AggregateFunction.Sum, "0.5")));
        Assert.Equal([9002L], await OwnMembersAsync(host, "sum -10.3", Is(AggregateFunction.Sum, "-10.3")));
        Assert.Equal([9001L], await OwnMembersAsync(host, "average", Is(AggregateFunction.Avg, "0.166667")));
        Assert.Equal([9002L], await OwnMembersAsync(host, "negative average", Is(AggregateFunction.Avg, "-5.15")));
    }

    [Fact]
    public async Task Refresh_TextConditions_IgnoreCaseAndTakeLikeCharactersLiterally()
    {
        await using var host = await HostAsync();
        await using (var db = await host.DbAsync())
        {
            db.Customers.AddRange(Person(9001, "Deal 50% Off", "a@Odd_Domain.in"), Person(9002, "Deal 50 Off", "b@oddxdomain.in"), Person(9003, "Back\\slash", "no-at-sign"));
            await db.SaveChangesAsync();
        }

        Task<List<long>> MatchesAsync(string name, AttributeCondition condition) => OwnMembersAsync(host, name, condition);
        Assert.Equal([9001L], await MatchesAsync("percent", Attr("c1", RuleFields.Name, ConditionOperator.Contains, "50% o")));
        Assert.Equal([9001L], await MatchesAsync("underscore", Attr("c1", RuleFields.EmailDomain, ConditionOperator.StartsWith, "odd_")));
        Assert.Equal([9001L], await MatchesAsync("domain any case", Attr("c1", RuleFields.EmailDomain, ConditionOperator.Eq, "odd_domain.IN")));
        Assert.Equal([9003L], await MatchesAsync("backslash", Attr("c1", RuleFields.Name, ConditionOperator.Contains, "k\\s")));
        Assert.Equal([9003L], await MatchesAsync("no domain", Attr("c1", RuleFields.EmailDomain, ConditionOperator.IsEmpty)));
        Assert.Equal([9001L, 9002L], await MatchesAsync("in any case", Attr("c1", RuleFields.Name, ConditionOperator.In, "deal 50% off", "DEAL 50 OFF")));
    }
}
