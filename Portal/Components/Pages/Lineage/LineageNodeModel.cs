using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

/// <summary>Whether a node or link is part of the highlighted path, dimmed beside it, or neither.</summary>
public enum LineageMark
{
    None,
    Highlighted,
    Dimmed,
}

/// <summary>
/// A lineage node on the canvas: fixed size (the browser never measures it), no ports, placed at the server's layout
/// (its centre, moved to the top-left corner the library positions by). Starts hidden: <see cref="LineageViewport"/>
/// shows what is on screen.
/// </summary>
public sealed class LineageNodeModel : NodeModel
{
    public LineageNodeModel(LineageNode node, int hidden, LayoutPoint centre)
        : base(node.Id, new Point(centre.X - LineageLayout.NodeWidth / 2, centre.Y - LineageLayout.NodeHeight / 2))
    {
        Node = node;
        Hidden = hidden;
        Size = new Size(LineageLayout.NodeWidth, LineageLayout.NodeHeight);
        ControlledSize = true;
        Locked = true;
        Visible = false;
        Title = node.Name;
    }

    public LineageNode Node { get; }

    /// <summary>How many of its neighbours the view leaves out.</summary>
    public int Hidden { get; }

    public LineageMark Mark { get; set; }
}
