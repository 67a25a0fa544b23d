using Blazor.Diagrams.Core.Geometry;
using Portal.Components.Pages.Lineage;
using Portal.Core.Lineage;

namespace Portal.Tests.Web.Components.Lineage;

/// <summary>The canvas draws only what is on screen: visibility owned by LineageViewport, recomputed on pan and zoom.</summary>
public sealed class LineageViewportTests
{
    private static readonly DateTime Start = new(2026, 1, 5, 8, 0, 0, DateTimeKind.Utc);

    /// <summary><paramref name="pairs"/> rules each producing a segment (segment N refreshed N minutes after the first).</summary>
    internal static LineageGraph Big(int pairs) => new(
        Enumerable.Range(0, pairs).SelectMany(i => new[]
        {
            new LineageNode($"rule:r{i}", LineageNodeKind.Rule, $"r{i}", LineageStatus.None, null, null, null, LineageDomains.Segments),
            new LineageNode($"segment:s{i}", LineageNodeKind.Segment, $"s{i}", LineageStatus.Fresh, i, Start.AddMinutes(i), null, LineageDomains.Segments),
        }),
        Enumerable.Range(0, pairs).Select(i => new LineageEdge($"rule:r{i}", $"segment:s{i}", LineageEdgeKind.Produces)));

    /// <summary>The graph in a grid: rule i at column 0, its segment at column 1, rows 54 px apart.</summary>
    private static LineageDiagram Diagram(LineageGraph graph)
    {
        var positions = graph.Nodes.ToDictionary(n => n.Id,
            n => new LayoutPoint(n.Kind == LineageNodeKind.Rule ? 80 : 330, 18 + 54 * int.Parse(n.Name[1..], System.Globalization.CultureInfo.InvariantCulture)), StringComparer.Ordinal);
        return LineageDiagram.Create(graph.WholeView(), new LineageLayoutResult(positions, 0, Cached: true), groupByDomain: false);
    }

    [Fact]
    public void Create_BeforeTheCanvasIsMeasured_DrawsNothing()
    {
        var diagram = Diagram(Big(10));

        diagram.Viewport.Place(null);

        Assert.False(diagram.Viewport.Placed);
        Assert.All(diagram.Nodes.Values, n => Assert.False(n.Visible));
        Assert.All(diagram.Links, l => Assert.False(l.Visible));
        Assert.Empty(diagram.Diagram.Nodes);
        Assert.Empty(diagram.Diagram.Links);
    }

    [Fact]
    public void Place_SmallGraph_FitsItAndDrawsEverything()
    {
        var diagram = Diagram(Big(10));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));

        diagram.Viewport.Place(null);

        Assert.Equal(20, diagram.Viewport.VisibleNodes);
        Assert.All(diagram.Links, l => Assert.True(l.Visible));
        Assert.InRange(diagram.Diagram.Zoom, 0.5, 1.2);
    }

    [Fact]
    public void Place_BigGraph_DrawsOnlyTheTopLeftAtAReadableZoomAndPanningDrawsWhatComesIntoView()
    {
        var diagram = Diagram(Big(1000));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));

        diagram.Viewport.Place(null);

        Assert.Equal(LineageViewport.ReadableZoom, diagram.Diagram.Zoom);
        Assert.True(diagram.Nodes["segment:s0"].Visible);
        Assert.False(diagram.Nodes["segment:s500"].Visible);
        Assert.InRange(diagram.Viewport.VisibleNodes, 20, 60);
        Assert.False(diagram.Links.Single(l => l.Edge.Target == "segment:s500").Visible);

        // Down by row 500 (54 px per row, at zoom 0.7).
        diagram.Diagram.SetPan(diagram.Diagram.Pan.X, diagram.Diagram.Pan.Y - 500 * 54 * 0.7);

        Assert.True(diagram.Nodes["segment:s500"].Visible);
        Assert.True(diagram.Links.Single(l => l.Edge.Target == "segment:s500").Visible);
        Assert.False(diagram.Nodes["segment:s0"].Visible);
        Assert.InRange(diagram.Viewport.VisibleNodes, 20, 60);
    }

    [Fact]
    public void Place_BigGraphWithASelectedNode_CentresOnIt()
    {
        var diagram = Diagram(Big(1000));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));

        diagram.Viewport.Place(diagram.Nodes["segment:s700"]);

        var screen = diagram.Viewport.Visible();
        var node = diagram.Nodes["segment:s700"].Position;
        Assert.InRange(node.X + LineageLayout.NodeWidth / 2, screen.Left + screen.Width * 0.45, screen.Left + screen.Width * 0.55);
        Assert.True(diagram.Nodes["segment:s700"].Visible);
        Assert.False(diagram.Nodes["segment:s0"].Visible);
    }

    [Fact]
    public void Resized_AFittedViewTheUserHasNotMoved_IsFittedToTheNewSize()
    {
        var diagram = Diagram(Big(10));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));
        diagram.Viewport.Place(null);
        var wide = diagram.Diagram.Zoom;

        // The details panel opens beside the canvas: 320 px narrower.
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 680, 600));
        diagram.Viewport.Resized();

        var screen = diagram.Viewport.Visible();
        Assert.True(diagram.Nodes.Values.All(n => n.Position.X >= screen.Left && n.Position.X + LineageLayout.NodeWidth <= screen.Right), "A node is cut off at the side.");
        Assert.True(diagram.Diagram.Zoom <= wide);
    }

    [Fact]
    public void Resized_AfterTheUserPanned_KeepsTheirView()
    {
        var diagram = Diagram(Big(10));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));
        diagram.Viewport.Place(null);
        diagram.Diagram.UpdatePan(-200, 0);
        var (pan, zoom) = (diagram.Diagram.Pan, diagram.Diagram.Zoom);

        diagram.Diagram.SetContainer(new Rectangle(0, 0, 680, 600));
        diagram.Viewport.Resized();

        Assert.Equal((pan, zoom), (diagram.Diagram.Pan, diagram.Diagram.Zoom));
    }

    [Fact]
    public void Update_AfterPanningABigGraph_TheDiagramHoldsOnlyTheModelsOnScreen()
    {
        var diagram = Diagram(Big(1000));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));
        diagram.Viewport.Place(null);

        diagram.Diagram.SetPan(diagram.Diagram.Pan.X, diagram.Diagram.Pan.Y - 500 * 54 * 0.7);

        // Only what is drawn has a renderer on the canvas: tens of models, not 2,000 nodes and 1,000 links.
        Assert.Equal(diagram.Viewport.VisibleNodes, diagram.Diagram.Nodes.Count);
        Assert.All(diagram.Diagram.Nodes, n => Assert.True(n.Visible));
        Assert.Contains(diagram.Nodes["segment:s500"], diagram.Diagram.Nodes);
        Assert.DoesNotContain(diagram.Nodes["segment:s0"], diagram.Diagram.Nodes);
        Assert.Equal(diagram.Links.Count(l => l.Visible), diagram.Diagram.Links.Count);
        Assert.InRange(diagram.Diagram.Links.Count, 10, 60);
    }

    [Fact]
    public void Select_ANodeScrolledOffThenAnother_TheFirstIsNoLongerSelectedWhenItComesBack()
    {
        var diagram = Diagram(Big(1000));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));
        diagram.Viewport.Place(null);
        var (x, y) = (diagram.Diagram.Pan.X, diagram.Diagram.Pan.Y);
        diagram.Select("segment:s0");

        diagram.Diagram.SetPan(x, y - 500 * 54 * 0.7);
        diagram.Select("segment:s500");
        diagram.Diagram.SetPan(x, y);

        Assert.Contains(diagram.Nodes["segment:s0"], diagram.Diagram.Nodes);
        Assert.False(diagram.Nodes["segment:s0"].Selected);
        Assert.True(diagram.Nodes["segment:s500"].Selected);
    }

    [Fact]
    public void Fit_AGraphAsWideAsTheCanvas_LeavesTheBottomRightNodeClearOfTheMinimap()
    {
        // Two nodes spanning a box of the canvas's shape: fitted to the whole canvas, the second would be under the minimap.
        var graph = new LineageGraph(
            [new LineageNode("rule:a", LineageNodeKind.Rule, "a", LineageStatus.None, null, null, null, LineageDomains.Segments),
             new LineageNode("segment:b", LineageNodeKind.Segment, "b", LineageStatus.Fresh, 1, null, null, LineageDomains.Segments)],
            [new LineageEdge("rule:a", "segment:b", LineageEdgeKind.Produces)]);
        var positions = new Dictionary<string, LayoutPoint> { ["rule:a"] = new(80, 18), ["segment:b"] = new(1580, 868) };
        var diagram = LineageDiagram.Create(graph.WholeView(), new LineageLayoutResult(positions, 0, Cached: true), groupByDomain: false);
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));

        diagram.Viewport.Place(null);

        var (zoom, pan, b) = (diagram.Diagram.Zoom, diagram.Diagram.Pan, diagram.Nodes["segment:b"].Position);
        var (right, bottom) = ((b.X + LineageLayout.NodeWidth) * zoom + pan.X, (b.Y + LineageLayout.NodeHeight) * zoom + pan.Y);
        Assert.True(right <= 1000 - LineageViewport.MinimapInset - LineageViewport.MinimapWidth || bottom <= 600 - LineageViewport.MinimapInset - LineageViewport.MinimapHeight,
            $"The node's bottom-right corner ({right:0}, {bottom:0}) is under the minimap.");
        Assert.True(right <= 1000 && bottom <= 600, "The node is cut off.");
    }

    [Fact]
    public void OnScreen_ABandTallerThanTheScreen_IsCutToTheScreenAndItsLabelFollows()
    {
        var diagram = Diagram(Big(1000));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));
        diagram.Viewport.Place(null);
        var band = new LineageBand("segments", 40, -20, 3_000, 54_100);

        var top = diagram.Viewport.OnScreen(band)!;
        diagram.Diagram.SetPan(diagram.Diagram.Pan.X, diagram.Diagram.Pan.Y - 500 * 54 * 0.7);
        var middle = diagram.Viewport.OnScreen(band)!;

        var screen = diagram.Viewport.Visible();
        Assert.True(middle.Height < screen.Height * 2, $"The band is drawn {middle.Height:0} units tall on a screen of {screen.Height:0}.");
        Assert.InRange(middle.Top, screen.Top - 200, screen.Top);
        Assert.InRange(middle.LabelY, screen.Top, screen.Top + 30);
        // Its own top edge is drawn while on screen; in the middle only its left edge (the right one is beyond the screen's right).
        Assert.StartsWith(FormattableString.Invariant($"M{band.Left:0.#} {band.Top:0.#}L"), top.Edges);
        Assert.Equal(1, middle.Edges.Count(c => c == 'M'));
        Assert.StartsWith(FormattableString.Invariant($"M{band.Left:0.#} "), middle.Edges);
    }

    [Fact]
    public void OnScreen_ABandOffScreen_IsNotDrawn()
    {
        var diagram = Diagram(Big(1000));
        diagram.Diagram.SetContainer(new Rectangle(0, 0, 1000, 600));
        diagram.Viewport.Place(null);

        Assert.Null(diagram.Viewport.OnScreen(new LineageBand("far", 40, 40_000, 600, 500)));
    }

    [Fact]
    public void PathData_AJobsRunsEdge_IsAStraightLineAndOtherEdgesCurve()
    {
        var graph = new LineageGraph(
            [new LineageNode("job:refresh", LineageNodeKind.Job, "refresh", LineageStatus.None, null, null, null, LineageDomains.Segments),
             new LineageNode("rule:a", LineageNodeKind.Rule, "a", LineageStatus.None, null, null, null, LineageDomains.Segments),
             new LineageNode("segment:b", LineageNodeKind.Segment, "b", LineageStatus.Fresh, 1, null, null, LineageDomains.Segments)],
            [new LineageEdge("job:refresh", "segment:b", LineageEdgeKind.Runs), new LineageEdge("rule:a", "segment:b", LineageEdgeKind.Produces)]);
        var positions = new Dictionary<string, LayoutPoint> { ["job:refresh"] = new(80, 18), ["rule:a"] = new(80, 90), ["segment:b"] = new(330, 4_000) };
        var diagram = LineageDiagram.Create(graph.WholeView(), new LineageLayoutResult(positions, 0, Cached: true), groupByDomain: false);

        var runs = diagram.Links.Single(l => l.Edge.Kind == LineageEdgeKind.Runs).PathData();
        var produces = diagram.Links.Single(l => l.Edge.Kind == LineageEdgeKind.Produces).PathData();

        var (job, segment) = (diagram.Nodes["job:refresh"].Position, diagram.Nodes["segment:b"].Position);
        Assert.Equal(FormattableString.Invariant($"M{job.X + LineageLayout.NodeWidth:0.#} {job.Y + LineageLayout.NodeHeight / 2:0.#}L{segment.X - 4:0.#} {segment.Y + LineageLayout.NodeHeight / 2:0.#}"), runs);
        Assert.Contains('C', produces);
    }
}
