using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Lineage;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Lineage;

/// <summary>The graph built from a real SQLite database and a bucket folder: every node and edge kind, statuses.</summary>
public sealed class LineageBuilderTests : DatabaseTest
{
    /// <summary>
    /// Rules: tier (users only), card (credit card spend), upi (UPI spend); combined = tier ∪ card; member = in upi's segment.
    /// Audiences: fed by the combined segment (to AdtechB), and the demo ones (HTTP source).
    /// </summary>
    private static async Task<(LineageGraph Graph, Dictionary<string, long> Rules, Dictionary<string, long> Segments)> BuildAsync(CoreHost host)
    {
        var tier = await RuleHost.SaveAsync(host, Tier("Tier one", "1"));
        var card = await RuleHost.SaveAsync(host, Draft("Card spenders", And("root", Spend("c1", ConditionOperator.Gt, "100", source: TransactionSource.CreditCard))));
        var upi = await RuleHost.SaveAsync(host, Draft("UPI spenders", And("root", Spend("c1", ConditionOperator.Gt, "100", source: TransactionSource.Upi))));
        var combined = await RuleHost.SaveAsync(host, RuleDraft.Empty("Tier or card") with { DependsOn = [tier.Rule.Id, card.Rule.Id], Operation = SetOperation.Union });
        var member = await RuleHost.SaveAsync(host, Draft("In UPI", And("root", new SegmentCondition("c1", false, upi.Segment, ConditionOperator.In))));

        await using (var db = await host.DbAsync())
        {
            var s = await db.Segments.SingleAsync(x => x.Id == tier.Segment);
            s.Status = SegmentStatus.Fresh;
            s.RowCount = 42;
            s.LastRefreshedAt = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
            (await db.Segments.SingleAsync(x => x.Id == card.Segment)).Status = SegmentStatus.Failed;
            (await db.Segments.SingleAsync(x => x.Id == upi.Segment)).Status = SegmentStatus.Stale;
            await db.SaveChangesAsync();
        }

        var bucket = host.Get<IBucket>();
        await DemoAudiences.SeedAsync(bucket);
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("from_segment"), """
            from_segment:
              description: Fed by a segment.
              source:
                segment: Tier or card
              adtechB:
                name: From segment
                expiration_time: 90
            """, null);

        var graph = await host.Get<LineageBuilder>().BuildAsync();
        return (graph,
            new() { ["tier"] = tier.Rule.Id, ["card"] = card.Rule.Id, ["upi"] = upi.Rule.Id, ["combined"] = combined.Rule.Id, ["member"] = member.Rule.Id },
            new() { ["tier"] = tier.Segment, ["card"] = card.Segment, ["upi"] = upi.Segment, ["combined"] = combined.Segment, ["member"] = member.Segment });
    }

    private static bool Has(LineageGraph graph, string source, string target, LineageEdgeKind kind) =>
        graph.Edges.Any(e => e.Source == source && e.Target == target && e.Kind == kind);

    [Fact]
    public async Task BuildAsync_RulesSegmentsAndAudiences_HasEveryEdgeKind()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (graph, rules, segments) = await BuildAsync(host);

        Assert.Empty(graph.Problems);
        Assert.Empty(graph.Cycle);
        var users = LineageBuilder.TableId(RuleTables.Users);
        var cc = LineageBuilder.TableId(RuleTables.CreditCard);
        var upi = LineageBuilder.TableId(RuleTables.Upi);
        Assert.True(Has(graph, users, LineageBuilder.RuleId(rules["tier"]), LineageEdgeKind.Reads));
        Assert.False(Has(graph, cc, LineageBuilder.RuleId(rules["tier"]), LineageEdgeKind.Reads));
        Assert.True(Has(graph, cc, LineageBuilder.RuleId(rules["card"]), LineageEdgeKind.Reads));
        Assert.False(Has(graph, upi, LineageBuilder.RuleId(rules["card"]), LineageEdgeKind.Reads));
        Assert.True(Has(graph, upi, LineageBuilder.RuleId(rules["upi"]), LineageEdgeKind.Reads));
        Assert.True(Has(graph, LineageBuilder.RuleId(rules["tier"]), LineageBuilder.SegmentId(segments["tier"]), LineageEdgeKind.Produces));
        var union = graph.Edges.Single(e => e.Source == LineageBuilder.SegmentId(segments["card"]) && e.Target == LineageBuilder.SegmentId(segments["combined"]));
        Assert.Equal((LineageEdgeKind.DependsOn, "UNION"), (union.Kind, union.Label));
        Assert.True(Has(graph, LineageBuilder.SegmentId(segments["upi"]), LineageBuilder.RuleId(rules["member"]), LineageEdgeKind.Membership));
        Assert.True(Has(graph, LineageBuilder.SegmentId(segments["combined"]), LineageBuilder.AudienceId("from_segment"), LineageEdgeKind.AudienceSource));
        Assert.True(Has(graph, LineageBuilder.SourceId("demo-endpoint/"), LineageBuilder.AudienceId("frequent_travellers"), LineageEdgeKind.AudienceSource));
        var export = graph.Edges.Single(e => e.Source == LineageBuilder.AudienceId("from_segment") && e.Kind == LineageEdgeKind.Export);
        Assert.Equal((LineageBuilder.AdtechId(AdtechKeys.AdtechB), "NOT_FETCHED"), (export.Target, export.Label));
        Assert.True(Has(graph, LineageBuilder.JobId(RefreshSegmentJob.Kind), LineageBuilder.SegmentId(segments["tier"]), LineageEdgeKind.Runs));
        Assert.True(Has(graph, LineageBuilder.JobId(CatalogRunJob.Kind), LineageBuilder.AudienceId("from_segment"), LineageEdgeKind.Runs));
        // Loads and Aggregates come from uploaded datasets (UploadsLineageTests); none are imported here.
        Assert.Equal(Enum.GetValues<LineageEdgeKind>().Except([LineageEdgeKind.Loads, LineageEdgeKind.Aggregates]).Order(),
            graph.Edges.Select(e => e.Kind).Distinct().Order());
    }

    [Fact]
    public async Task BuildAsync_Segments_CarryTheirStatusRowCountLastRefreshLinkAndDomain()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (graph, _, segments) = await BuildAsync(host);

        var tier = graph.Find(LineageBuilder.SegmentId(segments["tier"]))!;
        Assert.Equal((LineageNodeKind.Segment, "Tier one", LineageStatus.Fresh, 42L), (tier.Kind, tier.Name, tier.Status, tier.RowCount));
        Assert.Equal(new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), tier.LastRefreshedAt);
        Assert.Equal($"/segments/{segments["tier"]}", tier.Link);
        Assert.Equal(LineageDomains.Segments, tier.Domain);
        Assert.Equal(LineageStatus.Failed, graph.Find(LineageBuilder.SegmentId(segments["card"]))!.Status);
        Assert.Equal(LineageStatus.Stale, graph.Find(LineageBuilder.SegmentId(segments["upi"]))!.Status);
        Assert.Equal(LineageStatus.NeverRun, graph.Find(LineageBuilder.SegmentId(segments["member"]))!.Status);
        var audience = graph.Find(LineageBuilder.AudienceId("from_segment"))!;
        Assert.Equal((LineageStatus.NeverRun, "/audiences/from_segment", LineageDomains.Activation), (audience.Status, audience.Link, audience.Domain));
        Assert.Equal(LineageDomains.Customers, graph.Find(LineageBuilder.TableId(RuleTables.Users))!.Domain);
        Assert.Equal(LineageDomains.Activation, graph.Find(LineageBuilder.JobId(CatalogRunJob.Kind))!.Domain);
    }

    [Fact]
    public async Task BuildAsync_ImpactOfAUsedSegment_ReachesTheAudienceAndItsAdtech()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (graph, _, segments) = await BuildAsync(host);

        var impact = graph.Impact(LineageBuilder.SegmentId(segments["tier"])).Select(i => i.Node.Id).ToList();

        Assert.Equal([LineageBuilder.SegmentId(segments["combined"]), LineageBuilder.AudienceId("from_segment"), LineageBuilder.AdtechId(AdtechKeys.AdtechB)], impact);
    }

    [Fact]
    public async Task BuildAsync_AudienceOfAMissingSegment_IsReportedNotLinked()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("orphan"), """
            orphan:
              source:
                segment: Gone
              adtechB:
                name: Orphan
                expiration_time: 90
            """, null);

        var graph = await host.Get<LineageBuilder>().BuildAsync();

        Assert.Contains(graph.Problems, p => p.Contains("'Gone'", StringComparison.Ordinal));
        Assert.DoesNotContain(graph.InEdges(LineageBuilder.AudienceId("orphan")), e => e.Kind == LineageEdgeKind.AudienceSource);
    }

    [Fact]
    public async Task BuildAsync_SegmentsRefreshedWithoutAJob_RefreshJobNodeShowsTheLatestRefresh()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true);
        var tier = await RuleHost.SaveAsync(host, Tier("Tier one", "1"));
        var before = (await host.Get<LineageBuilder>().BuildAsync()).Find(LineageBuilder.JobId(Portal.Core.Segments.RefreshSegmentJob.Kind))!;

        await host.Get<SegmentRefresher>().RefreshAsync(tier.Segment);
        var after = (await host.Get<LineageBuilder>().BuildAsync()).Find(LineageBuilder.JobId(Portal.Core.Segments.RefreshSegmentJob.Kind))!;

        Assert.Equal(LineageStatus.NeverRun, before.Status);
        Assert.Equal(LineageStatus.Fresh, after.Status);
        await using var db = await host.DbAsync();
        Assert.Equal((await db.SegmentRefreshes.SingleAsync()).FinishedAt, after.LastRefreshedAt);
    }
}
