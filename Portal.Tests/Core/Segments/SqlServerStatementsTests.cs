using Microsoft.SqlServer.TransactSql.ScriptDom;
using Portal.Core.Customers;
using Portal.Core.Data;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Segments;

/// <summary>
/// No SQL Server runs here, so what the segments send it is parsed offline with Microsoft's own T-SQL parser
/// (ScriptDom): every statement for hundreds of random rules (the oracle test's generator) must parse cleanly.
/// </summary>
public sealed class SqlServerStatementsTests
{
    [Fact]
    public void Statements_RandomRulesForSqlServer_ParseAsTSql()
    {
        var data = DemoDates.Generator();
        var cards = data.CreditCardTransactions(3_000, 300).ToList();
        var upi = data.UpiTransactions(2_000, 300).ToList();
        var oracle = new RuleOracle(data.Customers(300).ToList(), cards, upi, RuleHostExtensions.DemoNow.UtcDateTime);
        var rules = new RandomRules(new Random(4), oracle, cards.Select(t => t.Merchant).Distinct().ToList(), upi.Select(t => t.Description).Distinct().ToList());
        var segmentOfRule = new Dictionary<long, long>();
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        AssertParses(parser, SegmentRefresher.DeleteSql);
        var drafts = new Dictionary<long, RuleDraft>();
        for (long rule = 1; rule <= 300; rule++)
        {
            var draft = rules.Next($"rule {rule}", segmentOfRule.Select(s => (s.Key, s.Value)).ToList());
            drafts[rule] = draft;
            var query = RuleCompiler.Compile(draft, DatabaseProvider.SqlServer, RuleHostExtensions.DemoNow.UtcDateTime, segmentOfRule);
            AssertParses(parser, SegmentRefresher.InsertSql(query));
            AssertParses(parser, SegmentEstimator.CountSql(query));
            AssertParses(parser, SegmentEstimator.PreviewSql(DatabaseProvider.SqlServer, query));
            if (RuleCompiler.HasOwnConditions(draft))
            {
                AssertParses(parser, RuleCompiler.CompileBreakdown(draft, DatabaseProvider.SqlServer, RuleHostExtensions.DemoNow.UtcDateTime).Sql);
            }

            segmentOfRule[rule] = 1000 + rule;
        }

        // The impact preview's statement: each rule as the draft, counted on the last segment that reads it (or its own).
        var ruleOfSegment = segmentOfRule.ToDictionary(s => s.Value, s => s.Key);
        var graph = new RuleGraph(drafts.ToDictionary(d => d.Key, d => RuleGraph.ReadsOf(d.Value.DependsOn, d.Value.Root, ruleOfSegment)), segmentOfRule);
        foreach (var rule in drafts.Keys)
        {
            var affected = graph.DependentsInOrder([rule]).DefaultIfEmpty(rule).Last();
            AssertParses(parser, SegmentImpact.CountStatement(graph, drafts, rule, affected, DatabaseProvider.SqlServer, RuleHostExtensions.DemoNow.UtcDateTime).Sql);
        }
    }

    private static void AssertParses(TSql160Parser parser, string sql)
    {
        using var reader = new StringReader(sql);
        parser.Parse(reader, out var errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}")) + "\n" + sql);
    }
}
