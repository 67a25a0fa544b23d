using System.Globalization;
using System.Security;
using System.Text;
using Blazor.Diagrams.Core.Geometry;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

/// <summary>
/// Writes what is on screen as a standalone SVG from the layout (not from the browser's DOM): the nodes inside the
/// given area with their kind's shape, colour and icon, status colour and words, the edges touching them drawn as on
/// the canvas, and the domain bands. White background and fixed fonts, so it pastes into a slide as it looks; the PNG
/// export is this SVG rasterised by the browser.
/// </summary>
public static class LineageSvg
{
    private const double Pad = 16;

    public static string Write(LineageDiagram diagram, Rectangle area)
    {
        var nodes = diagram.Nodes.Values.Where(n => Inside(n, area)).ToList();
        var shown = nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var links = diagram.Links.Where(l => shown.Contains(l.From.Id) || shown.Contains(l.To.Id)).ToList();
        var (left, top) = (nodes.Count == 0 ? area.Left : nodes.Min(n => n.Position.X) - Pad, nodes.Count == 0 ? area.Top : nodes.Min(n => n.Position.Y) - Pad);
        var right = nodes.Count == 0 ? area.Right : nodes.Max(n => n.Position.X) + LineageLayout.NodeWidth + Pad;
        var bottom = nodes.Count == 0 ? area.Bottom : nodes.Max(n => n.Position.Y) + LineageLayout.NodeHeight + Pad;
        var bands = diagram.Bands.Where(b => b.Top < bottom && b.Top + b.Height > top).ToList();
        foreach (var b in bands)
        {
            top = Math.Min(top, Math.Max(b.Top, area.Top));
        }

        var (width, height) = (right - left, bottom - top);
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"{left:0.#} {top:0.#} {width:0.#} {height:0.#}\" "))
            .Append("font-family=\"Roboto, Helvetica, Arial, sans-serif\">")
            .Append(Inv($"<rect x=\"{left:0.#}\" y=\"{top:0.#}\" width=\"{width:0.#}\" height=\"{height:0.#}\" fill=\"#ffffff\"/>"))
            .Append(Defs());
        foreach (var b in bands)
        {
            var (bt, bb) = (Math.Max(b.Top, top), Math.Min(b.Top + b.Height, bottom));
            svg.Append(Inv($"<rect x=\"{left:0.#}\" y=\"{bt:0.#}\" width=\"{width:0.#}\" height=\"{bb - bt:0.#}\" fill=\"#eceff1\" stroke=\"#b0bec5\" stroke-dasharray=\"4 3\"/>"))
                .Append(Inv($"<text x=\"{left + 8:0.#}\" y=\"{bt + 16:0.#}\" font-size=\"13\" fill=\"#455a64\">{Escape(b.Domain)}</text>"));
        }

        foreach (var link in links)
        {
            var dash = LineageStyle.Dash(link.Edge.Kind) is { } d ? $" stroke-dasharray=\"{d}\"" : "";
            svg.Append($"<path d=\"{link.PathData()}\" fill=\"none\" stroke=\"{LineageStyle.EdgeColour(link.Edge)}\" stroke-width=\"1.5\"{dash} marker-end=\"url(#arrow)\"/>");
        }

        foreach (var node in nodes)
        {
            AppendNode(svg, node);
        }

        return svg.Append("</svg>").ToString();
    }

    private static bool Inside(LineageNodeModel n, Rectangle area) =>
        n.Position.X + LineageLayout.NodeWidth > area.Left && n.Position.X < area.Right && n.Position.Y + LineageLayout.NodeHeight > area.Top && n.Position.Y < area.Bottom;

    private static string Defs()
    {
        var defs = new StringBuilder("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">")
            .Append("<path d=\"M0 0L10 5L0 10z\" fill=\"#78909c\"/></marker>");
        foreach (var kind in Enum.GetValues<LineageNodeKind>())
        {
            defs.Append($"<symbol id=\"icon-{kind}\" viewBox=\"0 0 24 24\">{LineageStyle.Of(kind).Icon}</symbol>");
        }

        return defs.Append("</defs>").ToString();
    }

    private static void AppendNode(StringBuilder svg, LineageNodeModel model)
    {
        var node = model.Node;
        var style = LineageStyle.Of(node.Kind);
        var (x, y) = (model.Position.X, model.Position.Y);
        var dash = node.Kind == LineageNodeKind.Job ? " stroke-dasharray=\"5 3\"" : "";
        svg.Append(Inv($"<g transform=\"translate({x:0.#} {y:0.#})\">"))
            .Append($"<path d=\"{Shape(style.Corners)}\" fill=\"{style.Fill}\" stroke=\"{LineageStyle.StatusColour(node.Status)}\" stroke-width=\"3\"{dash}/>")
            .Append($"<use href=\"#icon-{node.Kind}\" x=\"7\" y=\"10\" width=\"16\" height=\"16\" fill=\"#ffffff\"/>")
            .Append($"<text x=\"28\" y=\"16\" font-size=\"11\" font-weight=\"500\" fill=\"#ffffff\">{Escape(Shorten(node.Name, 21))}</text>")
            .Append(Inv($"<circle cx=\"31\" cy=\"26\" r=\"3\" fill=\"{LineageStyle.StatusColour(node.Status)}\" stroke=\"#ffffff\" stroke-width=\"0.8\"/>"))
            .Append($"<text x=\"37\" y=\"29\" font-size=\"9\" fill=\"#ffffff\" fill-opacity=\"0.9\">{node.Kind} · {LineageStyle.StatusText(node.Status)}</text>");
        if (model.Hidden > 0)
        {
            svg.Append(Inv($"<text x=\"{LineageLayout.NodeWidth - 6:0}\" y=\"13\" font-size=\"9\" text-anchor=\"end\" fill=\"#ffffff\">+{model.Hidden}</text>"));
        }

        svg.Append("</g>");
    }

    /// <summary>The node's box as a path with its kind's four corner radii (top-left, top-right, bottom-right, bottom-left).</summary>
    private static string Shape(double[] r)
    {
        const double W = LineageLayout.NodeWidth, H = LineageLayout.NodeHeight;
        return Inv($"M{r[0]} 0H{W - r[1]}Q{W} 0 {W} {r[1]}V{H - r[2]}Q{W} {H} {W - r[2]} {H}H{r[3]}Q0 {H} 0 {H - r[3]}V{r[0]}Q0 0 {r[0]} 0Z");
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
