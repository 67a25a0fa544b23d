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
}
