using Blazor.Diagrams;
using Blazor.Diagrams.Core.Behaviors;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Options;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

/// <summary>A domain's band behind its nodes when grouped by domain (graph units).</summary>
public sealed record LineageBand(string Domain, double Left, double Top, double Width, double Height);

/// <summary>
/// One view of the lineage as a Z.Blazor.Diagrams diagram: a node model per shown node at the server's layout, a link
/// model per edge, domain bands when grouped, and the <see cref="LineageViewport"/> that puts only what is on screen in
/// the diagram.
/// A new view (focus, filter, selector, grouping) is a new diagram: nothing is hidden for a filter, so the viewport's
/// visibility is the only visibility there is.
/// </summary>
public sealed class LineageDiagram
{
    private LineageDiagram(BlazorDiagram diagram, LineageView view, Dictionary<string, LineageNodeModel> nodes, List<LineageLinkModel> links,
        IReadOnlyList<LineageBand> bands, Rectangle bounds, double layoutMs)
    {
        Diagram = diagram;
        View = view;
        Nodes = nodes;
        Links = links;
        Bands = bands;
        LayoutMs = layoutMs;
        Viewport = new LineageViewport(diagram, [.. nodes.Values], links, bounds);
    }

    public BlazorDiagram Diagram { get; }

    public LineageView View { get; }

    public IReadOnlyDictionary<string, LineageNodeModel> Nodes { get; }

    public IReadOnlyList<LineageLinkModel> Links { get; }

    public IReadOnlyList<LineageBand> Bands { get; }

    public LineageViewport Viewport { get; }

    /// <summary>How long the server's layout took for this view (from the cache: about nothing).</summary>
    public double LayoutMs { get; }

    public static LineageDiagram Create(LineageView view, LineageLayoutResult layout, bool groupByDomain)
    {
        var options = new BlazorDiagramOptions { AllowMultiSelection = false };
        options.Zoom.Minimum = 0.05;
        options.Zoom.Maximum = 3;
        options.Virtualization.Enabled = false;
        var diagram = new BlazorDiagram(options);
        // A read-only picture: nothing to drag, link or delete; the built-in virtualization is replaced by LineageViewport.
        diagram.UnregisterBehavior<DragMovablesBehavior>();
        diagram.UnregisterBehavior<DragNewLinkBehavior>();
        diagram.UnregisterBehavior<KeyboardShortcutsBehavior>();
        diagram.UnregisterBehavior<VirtualizationBehavior>();
        diagram.RegisterComponent<LineageNodeModel, LineageNodeWidget>();
        diagram.RegisterComponent<LineageLinkModel, LineageLinkWidget>();

        var nodes = new Dictionary<string, LineageNodeModel>(view.Nodes.Count, StringComparer.Ordinal);
        foreach (var node in view.Nodes)
        {
            var centre = layout.Positions.GetValueOrDefault(node.Id);
            nodes[node.Id] = new LineageNodeModel(node, view.HiddenNeighbours.GetValueOrDefault(node.Id), centre);
        }

        // Not added to the diagram: the viewport adds what is on screen once the canvas has a size.
        var links = view.Edges.Where(e => e.Source != e.Target)
            .Select(e => new LineageLinkModel(e, nodes[e.Source], nodes[e.Target])).ToList();

        var bands = groupByDomain ? BandsOf(nodes.Values) : [];
        return new LineageDiagram(diagram, view, nodes, links, bands, BoundsOf(nodes.Values, bands), layout.Milliseconds);
    }

    /// <summary>One band per domain around its nodes (the layout puts each domain in rows of its own), with room for its label.</summary>
    private static List<LineageBand> BandsOf(IEnumerable<LineageNodeModel> nodes)
    {
        var all = nodes.ToList();
        if (all.Count == 0)
        {
            return [];
        }

        var left = all.Min(n => n.Position.X) - 20;
        var right = all.Max(n => n.Position.X) + LineageLayout.NodeWidth + 20;
        return all.GroupBy(n => n.Node.Domain, StringComparer.Ordinal)
            .Select(g => new LineageBand(g.Key, left, g.Min(n => n.Position.Y) - 34, right - left,
                g.Max(n => n.Position.Y) - g.Min(n => n.Position.Y) + LineageLayout.NodeHeight + 44))
            .OrderBy(b => b.Top).ToList();
    }

    private static Rectangle BoundsOf(IEnumerable<LineageNodeModel> nodes, IReadOnlyList<LineageBand> bands)
    {
        var all = nodes.ToList();
        if (all.Count == 0)
        {
            return Rectangle.Zero;
        }

        var left = all.Min(n => n.Position.X);
        var top = all.Min(n => n.Position.Y);
        var right = all.Max(n => n.Position.X) + LineageLayout.NodeWidth;
        var bottom = all.Max(n => n.Position.Y) + LineageLayout.NodeHeight;
        foreach (var b in bands)
        {
            (left, top, right, bottom) = (Math.Min(left, b.Left), Math.Min(top, b.Top), Math.Max(right, b.Left + b.Width), Math.Max(bottom, b.Top + b.Height));
        }

        return new Rectangle(left, top, right, bottom);
    }

    /// <summary>
    /// Selects the node (none when null) and unselects every other, in the diagram or not: the library's own selection
    /// sees only the models in the diagram, so a node selected and then scrolled off would stay selected.
    /// </summary>
    public void Select(string? id)
    {
        foreach (var node in Nodes.Values)
        {
            if (node.Selected && node.Id != id)
            {
                Diagram.UnselectModel(node);
            }
        }

        if (id is not null && Nodes.TryGetValue(id, out var selected))
        {
            Diagram.SelectModel(selected, unselectOthers: false);
        }
    }

    /// <summary>Marks the path's nodes and links highlighted and the rest dimmed (an empty path clears the marks); redraws what changed.</summary>
    public int Highlight(IReadOnlySet<string> path)
    {
        var count = 0;
        foreach (var node in Nodes.Values)
        {
            var mark = path.Count == 0 ? LineageMark.None : path.Contains(node.Id) ? LineageMark.Highlighted : LineageMark.Dimmed;
            count += mark == LineageMark.Highlighted ? 1 : 0;
            if (node.Mark != mark)
            {
                node.Mark = mark;
                node.Refresh();
            }
        }

        foreach (var link in Links)
        {
            var mark = path.Count == 0 ? LineageMark.None : path.Contains(link.Edge.Source) && path.Contains(link.Edge.Target) ? LineageMark.Highlighted : LineageMark.Dimmed;
            if (link.Mark != mark)
            {
                link.Mark = mark;
                link.Refresh();
            }
        }

        return count;
    }
}
