using System.Text;
using Blazor.Diagrams;
using Blazor.Diagrams.Core.Geometry;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

/// <summary>
/// Owns what the canvas draws: only the nodes and links on screen (plus a margin) are in the diagram, recomputed after
/// every pan, zoom and resize; the view's other models wait outside it. The library's own virtualization is off: it
/// keeps every model in the diagram (each re-rendered on every pan and zoom, drawn or not), draws everything on the
/// first render and overwrites visibility set by the app, whereas here the first render after the canvas is measured
/// already draws only what is on screen, and views change by building a new diagram rather than hiding models.
/// </summary>
public sealed class LineageViewport
{
    /// <summary>Graphs up to this many nodes open fitted to the canvas; bigger ones open at a readable zoom, top left.</summary>
    public const int FitNodes = 400;

    /// <summary>The zoom a big graph opens at.</summary>
    public const double ReadableZoom = 0.7;

    /// <summary>The minimap's size in the canvas's bottom-right corner (<see cref="LineageMinimap"/>).</summary>
    public const double MinimapWidth = 200;

    public const double MinimapHeight = 120;

    /// <summary>The minimap's distance from the canvas's right and bottom edges (its CSS), border included.</summary>
    public const double MinimapInset = 10;

    private const double Margin = 120;
    private readonly BlazorDiagram _diagram;
    private readonly IReadOnlyList<LineageNodeModel> _nodes;
    private readonly IReadOnlyList<LineageLinkModel> _links;
    private readonly Rectangle _bounds;
    private bool _fitted;
    private bool _fitting;

    public LineageViewport(BlazorDiagram diagram, IReadOnlyList<LineageNodeModel> nodes, IReadOnlyList<LineageLinkModel> links, Rectangle bounds)
    {
        _diagram = diagram;
        _nodes = nodes;
        _links = links;
        _bounds = bounds;
        // The diagram and its viewport live and die together (a new view is a new diagram): no unsubscribing needed.
        diagram.PanChanged += Moved;
        diagram.ZoomChanged += Moved;
    }

    /// <summary>How many nodes are drawn now.</summary>
    public int VisibleNodes { get; private set; }

    /// <summary>Whether the canvas has been measured and the first view set.</summary>
    public bool Placed { get; private set; }

    /// <summary>The graph's extent in graph units (nodes' boxes; domain bands included by the caller).</summary>
    public Rectangle Bounds => _bounds;

    /// <summary>The first view once the canvas has a size: fitted for small graphs, else readable at the top left (or centred on <paramref name="centre"/>).</summary>
    public void Place(LineageNodeModel? centre)
    {
        if (_diagram.Container is null)
        {
            return;
        }

        Placed = true;
        if (centre is not null && _nodes.Count > FitNodes)
        {
            CentreOn(centre, Math.Max(ReadableZoom, 1));
        }
        else if (_nodes.Count > FitNodes)
        {
            _diagram.SetZoom(ReadableZoom);
            _diagram.SetPan(20 - _bounds.Left * ReadableZoom, 20 - _bounds.Top * ReadableZoom);
        }
        else
        {
            Fit();
        }

        Update();
    }

    /// <summary>
    /// Fits the whole graph into the canvas, a small graph not blown up past 120 %. Until the user pans or zooms, the
    /// view is fitted again when the canvas changes size (the details panel opening beside it, the window).
    /// </summary>
    public void Fit()
    {
        if (_diagram.Container is not { } c || _bounds.Width <= 0)
        {
            return;
        }

        // Fitted to the whole canvas unless a node would then lie under the minimap; else fitted beside it or above it,
        // whichever is bigger.
        var (zoom, panX, panY) = FitInto(c.Width, c.Height);
        if (UnderMinimap(zoom, panX, panY, c))
        {
            var beside = FitInto(c.Width - MinimapWidth - MinimapInset, c.Height);
            var above = FitInto(c.Width, c.Height - MinimapHeight - MinimapInset);
            (zoom, panX, panY) = beside.Zoom >= above.Zoom ? beside : above;
        }

        _fitting = true;
        try
        {
            _diagram.SetZoom(zoom);
            _diagram.SetPan(panX, panY);
        }
        finally
        {
            _fitting = false;
        }

        _fitted = true;
        Update();
    }

    /// <summary>The zoom and pan that fit the graph, centred, into the canvas's top-left <paramref name="width"/> × <paramref name="height"/>.</summary>
    private (double Zoom, double PanX, double PanY) FitInto(double width, double height)
    {
        const double Pad = 24;
        var zoom = Math.Clamp(Math.Min((width - 2 * Pad) / _bounds.Width, (height - 2 * Pad) / _bounds.Height), _diagram.Options.Zoom.Minimum, 1.2);
        return (zoom, (width - _bounds.Width * zoom) / 2 - _bounds.Left * zoom, (height - _bounds.Height * zoom) / 2 - _bounds.Top * zoom);
    }

    /// <summary>Whether, at this zoom and pan, a node's box overlaps the minimap's.</summary>
    private bool UnderMinimap(double zoom, double panX, double panY, Rectangle canvas)
    {
        var (left, top) = (canvas.Width - MinimapInset - MinimapWidth, canvas.Height - MinimapInset - MinimapHeight);
        return _nodes.Any(n => (n.Position.X + LineageLayout.NodeWidth) * zoom + panX > left && (n.Position.Y + LineageLayout.NodeHeight) * zoom + panY > top
            && n.Position.X * zoom + panX < canvas.Width - MinimapInset && n.Position.Y * zoom + panY < canvas.Height - MinimapInset);
    }

    /// <summary>The canvas changed size: a fitted view is fitted again, any other keeps its place; what is drawn follows.</summary>
    public void Resized()
    {
        if (_fitted)
        {
            Fit();
        }
        else
        {
            Update();
        }
    }

    private void Moved()
    {
        if (!_fitting)
        {
            _fitted = false;
        }

        Update();
    }

    /// <summary>Zooms by a factor about the canvas's centre.</summary>
    public void ZoomBy(double factor)
    {
        if (_diagram.Container is not { } c)
        {
            return;
        }

        var old = _diagram.Zoom;
        var zoom = Math.Clamp(old * factor, _diagram.Options.Zoom.Minimum, _diagram.Options.Zoom.Maximum);
        var (cx, cy) = (c.Width / 2, c.Height / 2);
        _diagram.SetZoom(zoom);
        _diagram.SetPan(cx - (cx - _diagram.Pan.X) * zoom / old, cy - (cy - _diagram.Pan.Y) * zoom / old);
    }

    /// <summary>Moves the view so the node is in the middle, at least at <paramref name="zoom"/>.</summary>
    public void CentreOn(LineageNodeModel node, double zoom)
    {
        if (_diagram.Container is not { } c)
        {
            return;
        }

        if (Math.Abs(_diagram.Zoom - zoom) > 1e-9)
        {
            _diagram.SetZoom(zoom);
        }

        var x = node.Position.X + LineageLayout.NodeWidth / 2;
        var y = node.Position.Y + LineageLayout.NodeHeight / 2;
        _diagram.SetPan(c.Width / 2 - x * _diagram.Zoom, c.Height / 2 - y * _diagram.Zoom);
    }

    /// <summary>What is on screen now, in graph units.</summary>
    public Rectangle Visible()
    {
        var c = _diagram.Container!;
        var zoom = _diagram.Zoom;
        var left = -_diagram.Pan.X / zoom;
        var top = -_diagram.Pan.Y / zoom;
        return new Rectangle(left, top, left + c.Width / zoom, top + c.Height / zoom);
    }

    /// <summary>
    /// The part of <paramref name="band"/> to draw now, or null when it is off screen. A band spans the whole graph's
    /// width and its domain's height (tens of thousands of pixels for a big graph), and the browser dashes a dashed
    /// outline over its whole length on every paint, on screen or not; cut to the screen, the work is a screen's worth.
    /// Called as the canvas renders, so the cut follows every pan and zoom. Before the canvas is measured, the whole band.
    /// </summary>
    public LineageBandOnScreen? OnScreen(LineageBand band)
    {
        var (bandRight, bandBottom) = (band.Left + band.Width, band.Top + band.Height);
        var screen = _diagram.Container is null || !Placed ? new Rectangle(band.Left, band.Top, bandRight, bandBottom) : Visible();
        var margin = _diagram.Container is null || !Placed ? 0 : Margin / _diagram.Zoom;
        var (left, top) = (Math.Max(band.Left, screen.Left - margin), Math.Max(band.Top, screen.Top - margin));
        var (right, bottom) = (Math.Min(bandRight, screen.Right + margin), Math.Min(bandBottom, screen.Bottom + margin));
        if (right <= left || bottom <= top)
        {
            return null;
        }

        var edges = new StringBuilder();
        void Line(double x1, double y1, double x2, double y2) =>
            edges.Append(FormattableString.Invariant($"M{x1:0.#} {y1:0.#}L{x2:0.#} {y2:0.#}"));
        if (band.Top >= top)
        {
            Line(left, band.Top, right, band.Top);
        }

        if (bandBottom <= bottom)
        {
            Line(left, bandBottom, right, bandBottom);
        }

        if (band.Left >= left)
        {
            Line(band.Left, top, band.Left, bottom);
        }

        if (bandRight <= right)
        {
            Line(bandRight, top, bandRight, bottom);
        }

        var labelY = Math.Min(Math.Max(band.Top, screen.Top) + 20, bandBottom - 6);
        return new LineageBandOnScreen(left, top, right - left, bottom - top, edges.ToString(), Math.Max(band.Left, screen.Left) + 10, labelY);
    }

    /// <summary>
    /// Puts the nodes and links within the screen (and a margin) in the diagram and takes the rest out, in one batch:
    /// the canvas then has a renderer only for what is drawn, so a pan or zoom step re-renders tens of components
    /// instead of one per model of the view. A model's <c>Visible</c> says whether it is in the diagram.
    /// </summary>
    public void Update()
    {
        if (_diagram.Container is null || !Placed)
        {
            return;
        }

        var screen = Visible();
        var margin = Margin / _diagram.Zoom;
        var (left, top, right, bottom) = (screen.Left - margin, screen.Top - margin, screen.Right + margin, screen.Bottom + margin);
        var shown = 0;
        List<LineageNodeModel> addNodes = [], dropNodes = [];
        List<LineageLinkModel> addLinks = [], dropLinks = [];
        foreach (var node in _nodes)
        {
            var p = node.Position;
            var visible = p.X + LineageLayout.NodeWidth > left && p.X < right && p.Y + LineageLayout.NodeHeight > top && p.Y < bottom;
            Sort(node, visible, addNodes, dropNodes);
            shown += visible ? 1 : 0;
        }

        foreach (var link in _links)
        {
            // The box spanned by the two ends: a long edge crossing the screen is drawn though both its nodes are off it.
            var (a, b) = (link.From.Position, link.To.Position);
            var visible = Math.Max(a.X, b.X) + LineageLayout.NodeWidth > left && Math.Min(a.X, b.X) < right
                && Math.Max(a.Y, b.Y) + LineageLayout.NodeHeight > top && Math.Min(a.Y, b.Y) < bottom;
            Sort(link, visible, addLinks, dropLinks);
        }

        if (addNodes.Count + dropNodes.Count + addLinks.Count + dropLinks.Count > 0)
        {
            _diagram.Batch(() =>
            {
                _diagram.Links.Remove(dropLinks);
                _diagram.Nodes.Remove(dropNodes);
                _diagram.Nodes.Add(addNodes);
                _diagram.Links.Add(addLinks);
            });
        }

        VisibleNodes = shown;
    }

    private static void Sort<T>(T model, bool visible, List<T> add, List<T> drop)
        where T : Blazor.Diagrams.Core.Models.Base.Model
    {
        if (model.Visible != visible)
        {
            model.Visible = visible;
            (visible ? add : drop).Add(model);
        }
    }
}
