using System.Xml.Linq;
using Blazor.Diagrams.Core.Geometry;
using Portal.Components.Pages.Lineage;
using Portal.Core.Lineage;
using Portal.Tests.Core.Lineage;

namespace Portal.Tests.Web.Components.Lineage;

/// <summary>The SVG export: written from the layout, only what is on screen, each kind and edge kind as on the canvas.</summary>
public sealed class LineageSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static LineageDiagram Diagram() =>
        LineageDiagram.Create(LineageGraphTests.Chain().WholeView(), new LineageLayout().Compute(LineageGraphTests.Chain().WholeView(), false), groupByDomain: false);

    [Fact]
    public void Write_WholeGraphOnScreen_IsWellFormedSvgWithEveryNodeItsIconAndStatus()
    {
        var diagram = Diagram();

        var svg = XDocument.Parse(LineageSvg.Write(diagram, new Rectangle(-10_000, -10_000, 10_000, 10_000)));

        Assert.Equal(Svg + "svg", svg.Root!.Name);
        var nodes = svg.Root.Elements(Svg + "g").ToList();
        Assert.Equal(7, nodes.Count);
        var stale = nodes.Single(g => g.Elements(Svg + "text").Any(t => t.Value == "s2"));
        Assert.Equal(LineageStyle.StatusColour(LineageStatus.Stale), stale.Element(Svg + "path")!.Attribute("stroke")!.Value);
        Assert.Equal("#icon-Segment", stale.Element(Svg + "use")!.Attribute("href")!.Value);
        Assert.Contains(stale.Elements(Svg + "text"), t => t.Value == "Segment · stale");
        Assert.Equal(6, svg.Root.Elements(Svg + "path").Count());
        Assert.Equal(Enum.GetValues<LineageNodeKind>().Length, svg.Root.Descendants(Svg + "symbol").Count());
    }

    [Fact]
    public void Write_PartOfTheGraphOnScreen_KeepsOnlyThoseNodesAndTheEdgesTouchingThem()
    {
        var diagram = Diagram();
        var table = diagram.Nodes["table:t"].Position;

        var svg = XDocument.Parse(LineageSvg.Write(diagram, new Rectangle(table.X - 5, table.Y - 5, table.X + LineageLayout.NodeWidth + 5, table.Y + LineageLayout.NodeHeight + 5)));

        var names = svg.Root!.Elements(Svg + "g").Select(g => g.Elements(Svg + "text").First().Value).ToList();
        Assert.Equal(["t"], names);
        Assert.Single(svg.Root.Elements(Svg + "path"));
    }

    [Fact]
    public void Write_ANameWithMarkup_IsEscaped()
    {
        var graph = new LineageGraph([new LineageNode("segment:x", LineageNodeKind.Segment, "<a&b>", LineageStatus.Fresh, 1, null, null, LineageDomains.Segments)], []);
        var diagram = LineageDiagram.Create(graph.WholeView(), new LineageLayout().Compute(graph.WholeView(), false), false);

        var svg = XDocument.Parse(LineageSvg.Write(diagram, new Rectangle(-1000, -1000, 1000, 1000)));

        Assert.Contains(svg.Root!.Descendants(Svg + "text"), t => t.Value == "<a&b>");
    }
}
