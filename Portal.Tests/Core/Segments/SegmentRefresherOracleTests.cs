using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using Xunit.Abstractions;

namespace Portal.Tests.Core.Segments;

/// <summary>
/// Random rules refreshed on a real SQLite database of demo data, each segment checked against the same rule evaluated
/// with LINQ to objects (<see cref="RuleOracle"/>). The seed is fixed so a run can be repeated; set
/// <c>PORTAL_ORACLE_SEED</c> to try another. A failure names the seed, the rule and the users that differ.
/// </summary>
public sealed class SegmentRefresherOracleTests(ITestOutputHelper output) : DatabaseTest
{
    private const int DefaultSeed = 20_261_004;
    private const int Rules = 240;

    [Fact]
    public async Task Refresh_RandomRules_MatchAnIndependentLinqEvaluation()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PORTAL_ORACLE_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        output.WriteLine($"seed {seed} (PORTAL_ORACLE_SEED={seed} repeats this run)");
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);

        // The data, read once.
        RuleOracle oracle;
        List<string> merchants, descriptions;
        await using (var db = await host.DbAsync())
        {
            var users = await db.Customers.AsNoTracking().OrderBy(u => u.UserId).ToListAsync();
            var cards = await db.CreditCardTransactions.AsNoTracking().ToListAsync();
            var upi = await db.UpiTransactions.AsNoTracking().ToListAsync();
            oracle = new RuleOracle(users, cards, upi, RuleHostExtensions.DemoNow.UtcDateTime);
            merchants = cards.Select(t => t.Merchant).Distinct().Order(StringComparer.Ordinal).ToList();
            descriptions = upi.Select(t => t.Description).Distinct().Order(StringComparer.Ordinal).ToList();
        }

        var random = new Random(seed);
        var generator = new RandomRules(random, oracle, merchants, descriptions);
        var saved = new List<(long RuleId, long SegmentId, RuleDraft Draft)>();
        for (var i = 0; i < Rules; i++)
        {
            var draft = generator.Next($"rule {i}", saved.Select(r => (r.RuleId, r.SegmentId)).ToList());
            var result = await host.Get<RuleService>().SaveAsync(null, draft, null, CoreHost.Marketer);
            Assert.True(result.Saved, $"seed {seed}, rule {i} was not saved: {string.Join("; ", result.Issues)}\n{ConditionJson.Write(draft.Root)}");
            saved.Add((result.Rule!.Id, (await host.SegmentOfAsync(result.Rule.Id)).Id, draft));
        }

        var mismatches = new List<string>();
        var sizes = new List<int>();
        foreach (var (ruleId, segmentId, draft) in saved)
        {
            var report = await host.RefreshRuleAsync(ruleId);
            Assert.True(report.Target.Succeeded, $"seed {seed}, {draft.Name} failed: {report.Target.Error}\n{ConditionJson.Write(draft.Root)}");
            var expected = oracle.Add(ruleId, segmentId, draft);
            var actual = (await host.MembersAsync(segmentId)).ToHashSet();
            sizes.Add(actual.Count);
            if (!actual.SetEquals(expected))
            {
                mismatches.Add(await DescribeAsync(host, seed, draft, expected, actual));
            }
        }

        await using (var db = await host.DbAsync())
        {
            Assert.Equal(Rules, await db.Segments.CountAsync(x => x.Status == SegmentStatus.Fresh));
        }

        var everyone = oracle.Users.Count;
        var nonTrivial = sizes.Count(n => n > 0 && n < everyone);
        output.WriteLine($"{Rules} rules ({saved.Count(r => r.Draft.DependsOn.Count > 0)} combined), {nonTrivial} segments neither empty nor everyone; " +
                         $"sizes: empty {sizes.Count(n => n == 0)}, full {sizes.Count(n => n == everyone)}, median {sizes.Order().ElementAt(sizes.Count / 2)} of {everyone}");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {Rules} segments differ from the oracle.\n\n{string.Join("\n\n", mismatches.Take(3))}");
        Assert.True(nonTrivial >= Rules / 2, $"seed {seed}: only {nonTrivial} of {Rules} segments are neither empty nor everyone");
        Assert.Equal(RuleFields.Attributes.Sum(f => RuleFields.OperatorsFor(f.Type).Count), generator.AttributesUsed.Count);
        Assert.Equal(5 * 3 * RuleFields.AggregateOperators.Count, generator.AggregatesUsed.Select(a => (a.Item1, a.Item2, a.Item3)).Distinct().Count());
        Assert.Contains(generator.AggregatesUsed, a => a.LastDays && a.Filtered);
        Assert.Contains(generator.AggregatesUsed, a => !a.LastDays && a.Filtered);
        Assert.All(Enum.GetValues<SetOperation>(), op => Assert.Contains(saved, r => r.Draft.Operation == op));
        Assert.Contains(saved, r => ConditionTree.All(r.Draft.Root).OfType<SegmentCondition>().Any());
        Assert.Contains(saved, r => ConditionTree.All(r.Draft.Root).Any(n => n is GroupCondition { Not: true }));
    }

    private static async Task<string> DescribeAsync(CoreHost host, int seed, RuleDraft draft, HashSet<long> expected, HashSet<long> actual)
    {
        await using var db = await host.DbAsync();
        var segmentOfRule = await db.Segments.AsNoTracking().ToDictionaryAsync(x => x.RuleId, x => x.Id);
        var sql = RuleCompiler.Compile(draft, DatabaseProvider.Sqlite, RuleHostExtensions.DemoNow.UtcDateTime, segmentOfRule).Readable;
        return $"seed {seed}, {draft.Name}: oracle {expected.Count} users, SQL {actual.Count}; " +
               $"only the oracle: [{string.Join(", ", expected.Except(actual).Order().Take(10))}], only SQL: [{string.Join(", ", actual.Except(expected).Order().Take(10))}]\n" +
               $"window {draft.StartDate:yyyy-MM-dd HH:mm:ss} .. {draft.EndDate:yyyy-MM-dd HH:mm:ss}, depends on [{string.Join(", ", draft.DependsOn)}] {draft.Operation}\n" +
               $"{ConditionJson.Write(draft.Root)}\n{sql}";
    }
}
