using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Models;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

/// <summary>
/// A lineage edge on the canvas, drawn by <see cref="LineageLinkWidget"/> straight from its two nodes' positions. Its
/// anchors are fixed points (nodes never move): node anchors would make the library refresh both nodes and intersect
/// their shapes for every link added.
/// </summary>
public sealed class LineageLinkModel : LinkModel
{
    public LineageLinkModel(LineageEdge edge, LineageNodeModel source, LineageNodeModel target)
        : base(edge.Id, new PositionAnchor(source.Position), new PositionAnchor(target.Position))
    {
        Edge = edge;
        From = source;
        To = target;
        Locked = true;
        Visible = false;
    }

    public LineageEdge Edge { get; }

    public LineageNodeModel From { get; }

    public LineageNodeModel To { get; }

    public LineageMark Mark { get; set; }

    /// <summary>
    /// The SVG path from the source's right edge to the target's left edge (data flows left to right): a curve, but a
    /// straight line for a job's runs edges. Those are dotted and many span the whole graph; the browser cuts a dotted
    /// straight line to the screen before dotting it, whereas it dots a curve over its whole length on every pan and
    /// zoom step (about 100 ms a step at 2,000 nodes instead of one frame).
    /// </summary>
    public string PathData()
    {
        var (x1, y1) = (From.Position.X + LineageLayout.NodeWidth, From.Position.Y + LineageLayout.NodeHeight / 2);
        var (x2, y2) = (To.Position.X - 4, To.Position.Y + LineageLayout.NodeHeight / 2);
        return Edge.Kind == LineageEdgeKind.Runs ? LineagePaths.Line(x1, y1, x2, y2) : LineagePaths.Curve(x1, y1, x2, y2);
    }
}
