using System.Globalization;
using System.Text.Json.Serialization;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

/// <summary>A Cytoscape node's data: what the style and the click handler read.</summary>
public sealed record CyNodeData(string Id, string Label, string Kind, string Status, long? Rows, int Hidden, string Domain,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Parent);

public sealed record CyEdgeData(string Id, string Source, string Target, string Kind, string? Label);

/// <summary>A node's centre from <see cref="LineageLayout"/> (Cytoscape's preset layout); none for domain boxes, which wrap their nodes.</summary>
public sealed record CyPosition(double X, double Y);

public sealed record CyNode(CyNodeData Data, string Classes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CyPosition? Position = null);

public sealed record CyEdge(CyEdgeData Data, string Classes);

/// <summary>
/// What <c>lineage-graph.js</c> receives: Cytoscape elements with their positions, classes naming kind, status and hidden
/// neighbours, and how long the server's layout took (<paramref name="LayoutMs"/>, shown on the canvas as data-layout-ms).
/// </summary>
public sealed record LineagePayload(IReadOnlyList<CyNode> Nodes, IReadOnlyList<CyEdge> Edges, double LayoutMs)
{
    public static LineagePayload From(LineageView view, bool groupByDomain, LineageLayoutResult layout)
    {
        var nodes = new List<CyNode>();
        if (groupByDomain)
        {
            nodes.AddRange(view.Nodes.Select(n => n.Domain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(d => new CyNode(new CyNodeData($"domain:{d}", d, "Domain", "None", null, 0, d, null), "domain")));
        }

        foreach (var n in view.Nodes)
        {
            var hidden = view.HiddenNeighbours.GetValueOrDefault(n.Id);
            var label = hidden > 0 ? $"{n.Name} (+{hidden.ToString(CultureInfo.InvariantCulture)})" : n.Name;
            var classes = $"kind-{n.Kind} status-{n.Status}" + (hidden > 0 ? " has-hidden" : "");
            var position = layout.Positions.TryGetValue(n.Id, out var p) ? new CyPosition(Math.Round(p.X, 1), Math.Round(p.Y, 1)) : null;
            nodes.Add(new CyNode(new CyNodeData(n.Id, label, n.Kind.ToString(), n.Status.ToString(), n.RowCount, hidden, n.Domain,
                groupByDomain ? $"domain:{n.Domain}" : null), classes, position));
        }

        var edges = view.Edges.Select(e => new CyEdge(new CyEdgeData(e.Id, e.Source, e.Target, e.Kind.ToString(), e.Label), e.Kind.ToString())).ToList();
        return new LineagePayload(nodes, edges, Math.Round(layout.Milliseconds, 1));
    }
}
