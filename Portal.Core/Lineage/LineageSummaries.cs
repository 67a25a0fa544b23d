using System.Globalization;

namespace Portal.Core.Lineage;

/// <summary>
/// What a focus view leaves out, shown as summary nodes: per shown node, its hidden neighbours of one kind on one side
/// become one node ("2,340 audiences → AdtechB"), linked to it the way their edges go and laid out like any node.
/// A summary's id names its anchor, kind and side; put in a focus's expanded set (<see cref="LineageGraph.Focus"/>), it
/// shows those neighbours. Summaries exist only in views, never in the graph: search, selectors and filters never meet them.
/// </summary>
public static class LineageSummaries
{
    /// <summary>At most this many summaries in a view, the biggest groups first (the others keep their node's "+n" count).</summary>
    public const int MaxPerView = 200;

    private const string Prefix = "summary:";

    public static bool IsSummary(string id) => id.StartsWith(Prefix, StringComparison.Ordinal);

    public static string IdOf(string anchor, LineageNodeKind kind, bool upstream) => $"{Prefix}{anchor}|{kind}|{(upstream ? "in" : "out")}";

    /// <summary>The anchor, kind and side a summary id stands for; null for any other id.</summary>
    public static (string Anchor, LineageNodeKind Kind, bool Upstream)? Parse(string id)
    {
        if (!IsSummary(id))
        {
            return null;
        }

        var parts = id[Prefix.Length..].Split('|');
        return parts.Length >= 3 && Enum.TryParse<LineageNodeKind>(parts[^2], out var kind) && parts[^1] is "in" or "out"
            ? (string.Join('|', parts[..^2]), kind, parts[^1] == "in")
            : null;
    }

    /// <summary>The neighbours a summary stands for: the anchor's neighbours of that kind on that side.</summary>
    public static IEnumerable<string> Members(LineageGraph graph, string anchor, LineageNodeKind kind, bool upstream) =>
        (upstream ? graph.InEdges(anchor).Select(e => e.Source) : graph.OutEdges(anchor).Select(e => e.Target))
            .Where(id => graph.Find(id)?.Kind == kind).Distinct(StringComparer.Ordinal);

    /// <summary><paramref name="view"/> with a summary node and edge for each group of neighbours it leaves out.</summary>
    public static LineageView Add(LineageGraph graph, LineageView view)
    {
        var shown = view.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var groups = new List<(LineageNode Anchor, bool Upstream, LineageNodeKind Kind, List<LineageEdge> Edges)>();
        foreach (var anchor in view.Nodes.Where(n => view.HiddenNeighbours.GetValueOrDefault(n.Id) > 0))
        {
            foreach (var upstream in new[] { true, false })
            {
                var hidden = (upstream ? graph.InEdges(anchor.Id) : graph.OutEdges(anchor.Id))
                    .Where(e => !shown.Contains(upstream ? e.Source : e.Target))
                    .GroupBy(e => graph.Find(upstream ? e.Source : e.Target)!.Kind);
                groups.AddRange(hidden.Select(g => (anchor, upstream, g.Key, g.ToList())));
            }
        }

        var nodes = new List<LineageNode>();
        var edges = new List<LineageEdge>();
        foreach (var (anchor, upstream, kind, hidden) in groups.OrderByDescending(g => g.Edges.Count).Take(MaxPerView))
        {
            var members = hidden.Select(e => graph.Find(upstream ? e.Source : e.Target)!).DistinctBy(n => n.Id).ToList();
            var id = IdOf(anchor.Id, kind, upstream);
            var label = Label(members.Count, kind);
            var domain = members.GroupBy(n => n.Domain).MaxBy(g => g.Count())!.Key;
            var detail = upstream ? $"{label} → {anchor.Name}" : $"{anchor.Name} → {label}";
            nodes.Add(new LineageNode(id, LineageNodeKind.Summary, label, LineageStatus.None, members.Count, null, null, domain, detail));
            var edgeKind = hidden.GroupBy(e => e.Kind).MaxBy(g => g.Count())!.Key;
            edges.Add(upstream ? new LineageEdge(id, anchor.Id, edgeKind) : new LineageEdge(anchor.Id, id, edgeKind));
        }

        return nodes.Count == 0 ? view : view with { Nodes = [.. view.Nodes, .. nodes], Edges = [.. view.Edges, .. edges] };
    }

    /// <summary>"2,340 audiences", "1 table".</summary>
    public static string Label(int count, LineageNodeKind kind)
    {
        var noun = kind switch
        {
            LineageNodeKind.DataSource => "data source",
            _ => kind.ToString().ToLowerInvariant(),
        };
        return string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? "" : "s")}");
    }
}
