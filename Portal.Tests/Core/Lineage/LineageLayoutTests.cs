using Portal.Core.Lineage;

namespace Portal.Tests.Core.Lineage;

public sealed class LineageLayoutTests
{
    private static bool Overlap(LayoutPoint a, LayoutPoint b) =>
        Math.Abs(a.X - b.X) < LineageLayout.NodeWidth && Math.Abs(a.Y - b.Y) < LineageLayout.NodeHeight;

    private static void AssertNoOverlaps(IReadOnlyDictionary<string, LayoutPoint> positions)
    {
        var all = positions.ToList();
        for (var i = 0; i < all.Count; i++)
        {
            for (var j = i + 1; j < all.Count; j++)
            {
                Assert.False(Overlap(all[i].Value, all[j].Value), $"{all[i].Key} at {all[i].Value} overlaps {all[j].Key} at {all[j].Value}");
            }
        }
    }

    [Fact]
    public void Compute_Chain_PlacesEveryNodeWithEachEdgePointingRightAndNoOverlaps()
    {
        var view = LineageGraphTests.Chain().WholeView();

        var layout = new LineageLayout().Compute(view, groupByDomain: false);

        Assert.Equal(view.Nodes.Select(n => n.Id).Order(StringComparer.Ordinal), layout.Positions.Keys.Order(StringComparer.Ordinal));
        Assert.All(view.Edges, e => Assert.True(layout.Positions[e.Source].X + LineageLayout.NodeWidth <= layout.Positions[e.Target].X,
            $"{e.Source} ({layout.Positions[e.Source].X}) is not left of {e.Target} ({layout.Positions[e.Target].X})"));
        AssertNoOverlaps(layout.Positions);
        Assert.False(layout.Cached);
    }

    [Theory]
    [InlineData(LineageLayoutEngine.Msagl)]
    [InlineData(LineageLayoutEngine.GraphShape)]
    public void Compute_ABigViewOfSeveralDomains_LaysEachDomainOutOnItsOwnSideBySideInFlowOrder(LineageLayoutEngine engine)
    {
        // A table read by a chain of six segments (each one's rule tests the one before), an audience fed by the first
        // segment, and 200 more rule-segment pairs: laid out as a whole, the audience would sit in a column left of the
        // chain's end.
        var nodes = new List<LineageNode>
        {
            new("table:t", LineageNodeKind.Table, "t", LineageStatus.None, null, null, null, LineageDomains.Customers),
            new("audience:a", LineageNodeKind.Audience, "a", LineageStatus.Fresh, null, null, null, LineageDomains.Activation),
            new("adtech:x", LineageNodeKind.Adtech, "x", LineageStatus.None, null, null, null, LineageDomains.Activation),
        };
        var edges = new List<LineageEdge> { new("segment:s0", "audience:a", LineageEdgeKind.AudienceSource), new("audience:a", "adtech:x", LineageEdgeKind.Export) };
        for (var i = 0; i < 206; i++)
        {
            nodes.Add(new($"rule:r{i}", LineageNodeKind.Rule, $"r{i}", LineageStatus.None, null, null, null, LineageDomains.Segments));
            nodes.Add(new($"segment:s{i}", LineageNodeKind.Segment, $"s{i}", LineageStatus.Fresh, 1, null, null, LineageDomains.Segments));
            edges.Add(new($"rule:r{i}", $"segment:s{i}", LineageEdgeKind.Produces));
            edges.Add(i is > 0 and < 6 ? new($"segment:s{i - 1}", $"rule:r{i}", LineageEdgeKind.Membership) : new("table:t", $"rule:r{i}", LineageEdgeKind.Reads));
        }

        var view = new LineageGraph(nodes, edges).WholeView();
        Assert.True(view.Nodes.Count > LineageLayout.ByDomainAbove);

        var p = new LineageLayout(engine).Compute(view, groupByDomain: false).Positions;

        double Right(string domain) => view.Nodes.Where(n => n.Domain == domain).Max(n => p[n.Id].X) + LineageLayout.NodeWidth / 2;
        double Left(string domain) => view.Nodes.Where(n => n.Domain == domain).Min(n => p[n.Id].X) - LineageLayout.NodeWidth / 2;
        Assert.True(Right(LineageDomains.Customers) < Left(LineageDomains.Segments), "The customers' domain is not left of the segments'.");
        Assert.True(Right(LineageDomains.Segments) < Left(LineageDomains.Activation), "The segments' domain is not left of the activation's.");
        Assert.All(view.Edges, e => Assert.True(p[e.Source].X + LineageLayout.NodeWidth <= p[e.Target].X, $"{e.Id} does not point right"));
        AssertNoOverlaps(p);
    }

    [Theory]
    [InlineData(LineageLayoutEngine.Msagl)]
    [InlineData(LineageLayoutEngine.GraphShape)]
    public void Compute_EachEngineOnAFanOut_PointsEveryEdgeRightWithoutOverlaps(LineageLayoutEngine engine)
    {
        // One table read by 30 rules, each producing a segment that feeds one audience: wide layers, many crossings to avoid.
        var nodes = new List<LineageNode> { new("table:t", LineageNodeKind.Table, "t", LineageStatus.None, null, null, null, LineageDomains.Customers),
            new("audience:a", LineageNodeKind.Audience, "a", LineageStatus.Fresh, null, null, null, LineageDomains.Activation) };
        var edges = new List<LineageEdge>();
        for (var i = 0; i < 30; i++)
        {
            nodes.Add(new($"rule:r{i}", LineageNodeKind.Rule, $"r{i}", LineageStatus.None, null, null, null, LineageDomains.Segments));
            nodes.Add(new($"segment:s{i}", LineageNodeKind.Segment, $"s{i}", LineageStatus.Fresh, 1, null, null, LineageDomains.Segments));
            edges.AddRange([new("table:t", $"rule:r{i}", LineageEdgeKind.Reads), new($"rule:r{i}", $"segment:s{i}", LineageEdgeKind.Produces), new($"segment:s{i}", "audience:a", LineageEdgeKind.AudienceSource)]);
        }

        var view = new LineageGraph(nodes, edges).WholeView();

        var layout = new LineageLayout(engine).Compute(view, groupByDomain: false);

        Assert.Equal(62, layout.Positions.Count);
        Assert.All(view.Edges, e => Assert.True(layout.Positions[e.Source].X + LineageLayout.NodeWidth <= layout.Positions[e.Target].X, $"{e.Id} does not point right"));
        AssertNoOverlaps(layout.Positions);
        Assert.All(layout.Positions.Values, p => Assert.True(p.X >= LineageLayout.NodeWidth / 2 - 1e-6 && p.Y >= 0, $"{p} is off the canvas"));
    }

    [Fact]
    public void Constructor_Default_LaysOutWithMsagl()
    {
        var view = LineageGraphTests.Chain().WholeView();

        var portal = new LineageLayout().Compute(view, groupByDomain: false).Positions;

        Assert.Equal(new LineageLayout(LineageLayoutEngine.Msagl).Compute(view, false).Positions.OrderBy(p => p.Key, StringComparer.Ordinal),
            portal.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Compute_SameViewTwice_SecondComesFromTheCacheWithTheSamePositions()
    {
        var layouts = new LineageLayout();
        var first = layouts.Compute(LineageGraphTests.Chain().WholeView(), groupByDomain: false);

        var second = layouts.Compute(LineageGraphTests.Chain().WholeView(), groupByDomain: false);
        var grouped = layouts.Compute(LineageGraphTests.Chain().WholeView(), groupByDomain: true);

        Assert.True(second.Cached);
        Assert.Equal(first.Positions, second.Positions);
        Assert.False(grouped.Cached);
    }

    [Fact]
    public async Task Compute_SameViewAskedTwiceAtOnce_LaysItOutOnceForBoth()
    {
        var layouts = new LineageLayout();
        var view = LineageGraphTests.Chain().WholeView();
        using var start = new ManualResetEventSlim();

        var asking = Enumerable.Range(0, 4).Select(_ => Task.Run(() => { start.Wait(); return layouts.Compute(view, groupByDomain: false); })).ToList();
        start.Set();
        var results = await Task.WhenAll(asking);

        Assert.Single(results, r => !r.Cached);
        Assert.All(results, r => Assert.Same(results[0].Positions, r.Positions));
    }

    [Fact]
    public void Compute_SameGraphReadInAnotherOrder_ComesFromTheCache()
    {
        var layouts = new LineageLayout();
        var graph = LineageGraphTests.Chain();
        layouts.Compute(graph.WholeView(), groupByDomain: false);

        var reversed = new LineageGraph(graph.Nodes.Reverse().ToList(), graph.Edges.Reverse().ToList());

        Assert.True(layouts.Compute(reversed.WholeView(), groupByDomain: false).Cached);
    }

    [Fact]
    public void Compute_GroupedByDomain_EachDomainHasABandOfItsOwn()
    {
        LineageNode Node(string id, string domain) => new(id, LineageNodeKind.Segment, id, LineageStatus.Fresh, 1, null, null, domain);
        // The catalog job (activation) has no input, so the layering puts it in the first column with the tables.
        var graph = new LineageGraph(
            [Node("table:t", LineageDomains.Customers), Node("rule:r", LineageDomains.Segments), Node("segment:s", LineageDomains.Segments),
                Node("job:catalog", LineageDomains.Activation), Node("audience:a", LineageDomains.Activation), Node("adtech:x", LineageDomains.Activation)],
            [new("table:t", "rule:r", LineageEdgeKind.Reads), new("rule:r", "segment:s", LineageEdgeKind.Produces), new("segment:s", "audience:a", LineageEdgeKind.AudienceSource),
                new("job:catalog", "audience:a", LineageEdgeKind.Runs), new("audience:a", "adtech:x", LineageEdgeKind.Export)]);

        var layout = new LineageLayout().Compute(graph.WholeView(), groupByDomain: true);

        var bands = graph.Nodes.GroupBy(n => n.Domain)
            .Select(g => (Domain: g.Key, Top: g.Min(n => layout.Positions[n.Id].Y), Bottom: g.Max(n => layout.Positions[n.Id].Y) + LineageLayout.NodeHeight))
            .OrderBy(b => b.Top).ToList();
        Assert.Equal([LineageDomains.Customers, LineageDomains.Segments, LineageDomains.Activation], bands.Select(b => b.Domain));
        for (var i = 1; i < bands.Count; i++)
        {
            Assert.True(bands[i - 1].Bottom + LineageLayout.BandGap - LineageLayout.NodeHeight <= bands[i].Top,
                $"{bands[i - 1].Domain} ends at {bands[i - 1].Bottom}, {bands[i].Domain} starts at {bands[i].Top}");
        }

        Assert.True(layout.Positions["table:t"].X < layout.Positions["rule:r"].X);
        AssertNoOverlaps(layout.Positions);
    }

    [Fact]
    public void Compute_ViewWithACycleAndParallelEdges_PlacesEveryNode()
    {
        LineageNode Node(string id) => new(id, LineageNodeKind.Segment, id, LineageStatus.Fresh, 1, null, null, LineageDomains.Segments);
        var graph = new LineageGraph([Node("segment:a"), Node("segment:b"), Node("segment:c")],
            [new("segment:a", "segment:b", LineageEdgeKind.DependsOn), new("segment:a", "segment:b", LineageEdgeKind.Membership),
                new("segment:b", "segment:a", LineageEdgeKind.DependsOn), new("segment:b", "segment:c", LineageEdgeKind.DependsOn)]);

        var layout = new LineageLayout().Compute(graph.WholeView(), groupByDomain: false);

        Assert.Equal(3, layout.Positions.Count);
        AssertNoOverlaps(layout.Positions);
    }

    [Fact]
    public void Compute_EmptyView_PlacesNothing()
    {
        var layout = new LineageLayout().Compute(new LineageView([], [], new Dictionary<string, int>()), groupByDomain: true);

        Assert.Empty(layout.Positions);
    }

    [Fact]
    public void Compute_LayeredGraphOf600Nodes_EveryEdgePointsRightAndNothingOverlaps()
    {
        // Five layers like the real lineage (tables, rules, segments, audiences, adtechs), random edges between neighbours.
        var random = new Random(7);
        var nodes = Enumerable.Range(0, 600).Select(i => new LineageNode($"n:{i}", LineageNodeKind.Segment, $"n{i}", LineageStatus.Fresh, null, null, null, LineageDomains.Segments)).ToList();
        var edges = new HashSet<(int, int)>();
        while (edges.Count < 1200)
        {
            var a = random.Next(480);
            edges.Add((a, ((a / 120) + 1) * 120 + random.Next(120)));
        }

        var graph = new LineageGraph(nodes, edges.Select(e => new LineageEdge($"n:{e.Item1}", $"n:{e.Item2}", LineageEdgeKind.Reads)).ToList());

        var layout = new LineageLayout().Compute(graph.WholeView(), groupByDomain: false);

        Assert.Equal(600, layout.Positions.Count);
        Assert.All(graph.Edges, e => Assert.True(layout.Positions[e.Source].X < layout.Positions[e.Target].X));
        AssertNoOverlaps(layout.Positions);
    }

    [Fact]
    public void Compute_ABigDomainOfTwins_StacksEachSetOfTwinsInOneColumnByName()
    {
        // 3,000 audiences run by one job, each exported to one or two of three adtechs, read from one of two segments:
        // in the activation domain (which is laid out on its own), six sets of twins (audiences with the same
        // neighbours there: the job and their adtechs), which MSAGL would otherwise lay out one by one.
        var nodes = new List<LineageNode>
        {
            new("job:catalog", LineageNodeKind.Job, "catalog", LineageStatus.None, null, null, null, LineageDomains.Activation),
            new("segment:s0", LineageNodeKind.Segment, "s0", LineageStatus.Fresh, 1, null, null, LineageDomains.Segments),
            new("segment:s1", LineageNodeKind.Segment, "s1", LineageStatus.Fresh, 1, null, null, LineageDomains.Segments),
        };
        nodes.AddRange(Enumerable.Range(0, 3).Select(a => new LineageNode($"adtech:{a}", LineageNodeKind.Adtech, $"adtech {a}", LineageStatus.None, null, null, null, LineageDomains.Activation)));
        var edges = new List<LineageEdge>();
        for (var i = 0; i < 3000; i++)
        {
            var id = $"audience:{i}";
            nodes.Add(new(id, LineageNodeKind.Audience, $"audience {i:D4}", LineageStatus.Fresh, null, null, null, LineageDomains.Activation));
            edges.Add(new("job:catalog", id, LineageEdgeKind.Runs));
            edges.Add(new($"segment:s{i % 2}", id, LineageEdgeKind.AudienceSource));
            edges.Add(new(id, $"adtech:{i % 3}", LineageEdgeKind.Export));
            if (i % 4 == 0)
            {
                edges.Add(new(id, $"adtech:{(i + 1) % 3}", LineageEdgeKind.Export));
            }
        }

        var view = new LineageGraph(nodes, edges).WholeView();

        var p = new LineageLayout().Compute(view, groupByDomain: false).Positions;

        Assert.Equal(nodes.Count, p.Count);
        Assert.All(view.Edges, e => Assert.True(p[e.Source].X + LineageLayout.NodeWidth <= p[e.Target].X, $"{e.Id} does not point right"));
        AssertNoOverlaps(p);
        var twins = nodes.Where(n => n.Kind == LineageNodeKind.Audience)
            .GroupBy(n => string.Join(",", view.Edges.Where(e => e.Source == n.Id).Select(e => e.Target).Order(StringComparer.Ordinal)))
            .ToList();
        Assert.Equal(6, twins.Count);
        foreach (var set in twins)
        {
            var stacked = set.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => p[n.Id]).ToList();
            Assert.Single(stacked.Select(q => q.X).Distinct());
            Assert.All(stacked.Skip(1).Zip(stacked), pair => Assert.Equal(LineageLayout.NodeHeight + LineageLayout.NodeGap, pair.First.Y - pair.Second.Y, 6));
        }
    }
}
