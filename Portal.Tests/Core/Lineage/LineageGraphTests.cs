using Portal.Core.Lineage;

namespace Portal.Tests.Core.Lineage;

public sealed class LineageGraphTests
{
    private static LineageNode Node(string id, LineageNodeKind kind = LineageNodeKind.Segment, LineageStatus status = LineageStatus.Fresh) =>
        new(id, kind, id.Split(':')[1], status, 1, null, null, LineageDomains.Segments);

    /// <summary>t → r → s → s2 → a → x, and s3 → s2 (a second input).</summary>
    internal static LineageGraph Chain() => new(
        [Node("table:t", LineageNodeKind.Table), Node("rule:r", LineageNodeKind.Rule), Node("segment:s"), Node("segment:s2", status: LineageStatus.Stale),
            Node("segment:s3", status: LineageStatus.Failed), Node("audience:a", LineageNodeKind.Audience), Node("adtech:x", LineageNodeKind.Adtech)],
        [new("table:t", "rule:r", LineageEdgeKind.Reads), new("rule:r", "segment:s", LineageEdgeKind.Produces), new("segment:s", "segment:s2", LineageEdgeKind.DependsOn, "UNION"),
            new("segment:s3", "segment:s2", LineageEdgeKind.DependsOn, "UNION"), new("segment:s2", "audience:a", LineageEdgeKind.AudienceSource),
            new("audience:a", "adtech:x", LineageEdgeKind.Export, "POSTED")]);

    [Fact]
    public void UpstreamAndDownstream_OfAMiddleNode_FollowTheEdgesBothWays()
    {
        var graph = Chain();

        Assert.Equal(["rule:r", "segment:s", "segment:s3", "table:t"], graph.Upstream("segment:s2").Order(StringComparer.Ordinal));
        Assert.Equal(["adtech:x", "audience:a"], graph.Downstream("segment:s2").Order(StringComparer.Ordinal));
        Assert.Equal(["segment:s"], graph.Upstream("segment:s2", 1).Where(x => x == "segment:s"));
        Assert.DoesNotContain("rule:r", graph.Upstream("segment:s2", 1));
    }

    [Fact]
    public void Impact_OfASegment_ListsEverythingDownstreamNearestFirst()
    {
        var impact = Chain().Impact("segment:s");

        Assert.Equal(["segment:s2", "audience:a", "adtech:x"], impact.Select(i => i.Node.Id));
        Assert.Equal([1, 2, 3], impact.Select(i => i.Distance));
    }

    [Fact]
    public void Path_OfASegment_IsItsUpstreamDownstreamAndItselfButNotSiblings()
    {
        var path = Chain().Path("segment:s");

        Assert.Contains("table:t", path);
        Assert.Contains("adtech:x", path);
        Assert.Contains("segment:s", path);
        Assert.DoesNotContain("segment:s3", path);
    }

    [Fact]
    public void Focus_OneHop_ShowsNeighboursAndCountsHiddenOnes()
    {
        var view = Chain().Focus(["segment:s2"], 1);

        Assert.Equal(["audience:a", "segment:s", "segment:s2", "segment:s3"], view.Nodes.Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Equal(3, view.Edges.Count);
        Assert.Equal(1, view.HiddenNeighbours["segment:s"]);
        Assert.Equal(1, view.HiddenNeighbours["audience:a"]);
        Assert.Equal(0, view.HiddenNeighbours["segment:s3"]);
        Assert.Equal(0, view.HiddenNeighbours["segment:s2"]);
    }

    [Fact]
    public void Focus_WithAnExpandedNode_AddsItsNeighbours()
    {
        var view = Chain().Focus(["segment:s2"], 1, ["segment:s", "table:t"]);

        Assert.Contains(view.Nodes, n => n.Id == "rule:r");
        Assert.DoesNotContain(view.Nodes, n => n.Id == "table:t");
        Assert.Equal(1, view.HiddenNeighbours["rule:r"]);
    }

    [Fact]
    public void Focus_ZeroHops_ShowsOnlyTheCentre()
    {
        var view = Chain().Focus(["audience:a"], 0);

        Assert.Equal("audience:a", Assert.Single(view.Nodes).Id);
        Assert.Equal(2, view.HiddenNeighbours["audience:a"]);
    }

    [Fact]
    public void Search_ByPartOfAName_FindsExactNamesFirst()
    {
        var found = Chain().Search("s2");

        Assert.Equal("segment:s2", Assert.Single(found).Id);
        Assert.Equal(["segment:s", "segment:s2", "segment:s3"], Chain().Search("S").Where(n => n.Kind == LineageNodeKind.Segment).Select(n => n.Id));
        Assert.Empty(Chain().Search("  "));
    }

    [Fact]
    public void Filter_ByKindAndStatus_KeepsMatchingNodes()
    {
        var graph = Chain();

        Assert.Equal(3, graph.Filter([LineageNodeKind.Segment], null).Count);
        Assert.Equal("segment:s3", Assert.Single(graph.Filter([LineageNodeKind.Segment], [LineageStatus.Failed])).Id);
        Assert.Equal(graph.Nodes.Count, graph.Filter([], []).Count);
    }

    [Fact]
    public void Constructor_WithACycle_ReportsTheNodesOnIt()
    {
        var graph = new LineageGraph([Node("segment:a"), Node("segment:b"), Node("segment:c")],
            [new("segment:a", "segment:b", LineageEdgeKind.DependsOn), new("segment:b", "segment:a", LineageEdgeKind.DependsOn), new("segment:b", "segment:c", LineageEdgeKind.DependsOn)]);

        Assert.Equal(["segment:a", "segment:b"], graph.Cycle.Order(StringComparer.Ordinal));
        Assert.Contains(graph.Problems, p => p.Contains("Cycle", StringComparison.Ordinal));
        Assert.Empty(Chain().Cycle);
    }

    [Fact]
    public void Constructor_WithAnEdgeToAMissingNode_DropsItAndReportsIt()
    {
        var graph = new LineageGraph([Node("segment:a")], [new("segment:a", "segment:gone", LineageEdgeKind.DependsOn)]);

        Assert.Empty(graph.Edges);
        Assert.Contains(graph.Problems, p => p.Contains("segment:gone", StringComparison.Ordinal));
    }
}
