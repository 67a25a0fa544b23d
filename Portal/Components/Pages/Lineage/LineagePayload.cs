using System.Globalization;
using System.Text.Json.Serialization;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

/// <summary>A Cytoscape node's data: what the style and the click handler read.</summary>
public sealed record CyNodeData(string Id, string Label, string Kind, string Status, long? Rows, int Hidden, string Domain,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Parent);

public sealed record CyEdgeData(string Id, string Source, string Target, string Kind, string? Label);

public sealed record CyNode(CyNodeData Data, string Classes);

public sealed record CyEdge(CyEdgeData Data, string Classes);

/// <summary>What <c>lineage-graph.js</c> receives: Cytoscape elements, classes naming kind, status and hidden neighbours.</summary>
public sealed record LineagePayload(IReadOnlyList<CyNode> Nodes, IReadOnlyList<CyEdge> Edges)
{
    public static LineagePayload From(LineageView view, bool groupByDomain)
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
            nodes.Add(new CyNode(new CyNodeData(n.Id, label, n.Kind.ToString(), n.Status.ToString(), n.RowCount, hidden, n.Domain,
                groupByDomain ? $"domain:{n.Domain}" : null), classes));
        }

        var edges = view.Edges.Select(e => new CyEdge(new CyEdgeData(e.Id, e.Source, e.Target, e.Kind.ToString(), e.Label), e.Kind.ToString())).ToList();
        return new LineagePayload(nodes, edges);
    }
}
