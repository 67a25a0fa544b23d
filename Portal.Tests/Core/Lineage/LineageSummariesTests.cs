using Portal.Core.Lineage;

namespace Portal.Tests.Core.Lineage;

public sealed class LineageSummariesTests
{
    private static LineageNode Node(string id, LineageNodeKind kind, string domain = LineageDomains.Activation) =>
        new(id, kind, id.Split(':')[1], LineageStatus.None, null, null, null, domain);

    /// <summary>Segment s feeds <paramref name="audiences"/> audiences, each exported to adtech x; s comes from rule r.</summary>
    private static LineageGraph Fan(int audiences) => new(
        [Node("rule:r", LineageNodeKind.Rule, LineageDomains.Segments), Node("segment:s", LineageNodeKind.Segment, LineageDomains.Segments), Node("adtech:x", LineageNodeKind.Adtech),
            .. Enumerable.Range(0, audiences).Select(i => Node($"audience:a{i}", LineageNodeKind.Audience))],
        [new("rule:r", "segment:s", LineageEdgeKind.Produces),
            .. Enumerable.Range(0, audiences).SelectMany(i => new LineageEdge[] { new("segment:s", $"audience:a{i}", LineageEdgeKind.AudienceSource), new($"audience:a{i}", "adtech:x", LineageEdgeKind.Export, "POSTED") })]);

    [Fact]
    public void Add_AFocusLeavingOutManyAudiences_GroupsThemIntoOneNodeLinkedTheWayTheirEdgesGo()
    {
        var graph = Fan(2_340);

        var view = LineageSummaries.Add(graph, graph.Focus(["adtech:x"], 0));

        var summary = Assert.Single(view.Nodes, n => n.Kind == LineageNodeKind.Summary);
        Assert.Equal(LineageSummaries.IdOf("adtech:x", LineageNodeKind.Audience, upstream: true), summary.Id);
        Assert.Equal("2,340 audiences", summary.Name);
        Assert.Equal("2,340 audiences → x", summary.Detail);
        Assert.Equal(2_340, summary.RowCount);
        Assert.Equal(LineageDomains.Activation, summary.Domain);
        var edge = Assert.Single(view.Edges);
        Assert.Equal((summary.Id, "adtech:x", LineageEdgeKind.Export), (edge.Source, edge.Target, edge.Kind));
        Assert.Equal(2, view.Nodes.Count);
    }

    [Fact]
    public void Focus_OnAnAdtechWithMoreAudiencesThanTheFanOut_LeavesThemToOneSummary()
    {
        var graph = Fan(LineageGraph.FocusFanOut + 1);

        var view = LineageSummaries.Add(graph, graph.Focus(["adtech:x"], 1));

        Assert.Equal(["adtech:x", LineageSummaries.IdOf("adtech:x", LineageNodeKind.Audience, upstream: true)], view.Nodes.Select(n => n.Id));
        Assert.Equal($"{LineageGraph.FocusFanOut + 1} audiences", view.Nodes[1].Name);
        // As many as the fan-out are walked to as before.
        var few = Fan(LineageGraph.FocusFanOut);
        Assert.Equal(LineageGraph.FocusFanOut, few.Focus(["adtech:x"], 1).Nodes.Count(n => n.Kind == LineageNodeKind.Audience));
    }

    [Fact]
    public void Add_ANodeWithHiddenNeighboursOnBothSides_GetsASummaryPerSideAndKind()
    {
        var graph = Fan(3);

        var view = LineageSummaries.Add(graph, graph.Focus(["segment:s"], 0));

        Assert.Equal(["1 rule", "3 audiences"], view.Nodes.Where(n => n.Kind == LineageNodeKind.Summary).Select(n => n.Name).Order(StringComparer.Ordinal));
        Assert.Contains(view.Edges, e => e.Source == LineageSummaries.IdOf("segment:s", LineageNodeKind.Rule, upstream: true) && e.Target == "segment:s");
        Assert.Contains(view.Edges, e => e.Source == "segment:s" && e.Target == LineageSummaries.IdOf("segment:s", LineageNodeKind.Audience, upstream: false));
    }

    [Fact]
    public void Focus_WithAnExpandedSummary_ShowsTheNodesItStandsForAndNoLongerSummarisesThem()
    {
        var graph = Fan(40);
        var expanded = LineageSummaries.IdOf("adtech:x", LineageNodeKind.Audience, upstream: true);

        var view = LineageSummaries.Add(graph, graph.Focus(["adtech:x"], 0, [expanded]));

        Assert.Equal(40, view.Nodes.Count(n => n.Kind == LineageNodeKind.Audience));
        Assert.DoesNotContain(view.Nodes, n => n.Id == expanded);
        // The audiences' own hidden neighbour (segment s) is summarised in turn, once per audience.
        Assert.Equal(40, view.Nodes.Count(n => n.Kind == LineageNodeKind.Summary));
    }

    [Fact]
    public void Add_TheWholeGraph_AddsNothing()
    {
        var graph = Fan(5);
        var whole = graph.WholeView();

        Assert.Same(whole, LineageSummaries.Add(graph, whole));
    }

    [Fact]
    public void Add_MoreGroupsThanTheCap_KeepsTheBiggestGroups()
    {
        // Adtech x with its audiences shown (expanded); each fan audience leaves out its segment (a group of one), and
        // audience b, added last, leaves out three data sources.
        var fan = Fan(LineageSummaries.MaxPerView + 50);
        var graph = new LineageGraph(
            [.. fan.Nodes, Node("audience:b", LineageNodeKind.Audience), .. Enumerable.Range(0, 3).Select(i => Node($"source:d{i}", LineageNodeKind.DataSource))],
            [.. fan.Edges, new LineageEdge("audience:b", "adtech:x", LineageEdgeKind.Export), .. Enumerable.Range(0, 3).Select(i => new LineageEdge($"source:d{i}", "audience:b", LineageEdgeKind.AudienceSource))]);
        var focus = graph.Focus(["adtech:x"], 0, [LineageSummaries.IdOf("adtech:x", LineageNodeKind.Audience, upstream: true)]);

        var view = LineageSummaries.Add(graph, focus);

        Assert.Equal(LineageSummaries.MaxPerView, view.Nodes.Count(n => n.Kind == LineageNodeKind.Summary));
        Assert.Equal(focus.Nodes.Count + LineageSummaries.MaxPerView, view.Nodes.Count);
        Assert.Contains(view.Nodes, n => n.Id == LineageSummaries.IdOf("audience:b", LineageNodeKind.DataSource, upstream: true) && n.Name == "3 data sources");
    }

    [Theory]
    [InlineData("audience:a|b", LineageNodeKind.Audience, true)]
    [InlineData("segment:12", LineageNodeKind.Rule, false)]
    public void Parse_AnIdOf_GivesBackItsParts(string anchor, LineageNodeKind kind, bool upstream)
    {
        Assert.Equal((anchor, kind, upstream), LineageSummaries.Parse(LineageSummaries.IdOf(anchor, kind, upstream)));
        Assert.Null(LineageSummaries.Parse(anchor));
    }
}
