namespace Portal.Core.Lineage;

/// <summary>A focused view: the nodes shown, the edges between them, and per shown node how many neighbours are hidden.</summary>
public sealed record LineageView(IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges, IReadOnlyDictionary<string, int> HiddenNeighbours);

/// <summary>
/// The lineage from source tables to adtechs: nodes, edges in the direction data flows, traversals (upstream,
/// downstream, impact), focus with hidden-neighbour counts, search and filters. Immutable once built; a cycle (which
/// saving rules refuses) is not an error here but listed in <see cref="Problems"/> with the nodes on it.
/// </summary>
public sealed class LineageGraph
{
    private readonly Dictionary<string, LineageNode> _nodes;
    private readonly Dictionary<string, List<LineageEdge>> _out;
    private readonly Dictionary<string, List<LineageEdge>> _in;

    public LineageGraph(IEnumerable<LineageNode> nodes, IEnumerable<LineageEdge> edges, IEnumerable<string>? problems = null)
    {
        var list = problems?.ToList() ?? [];
        _nodes = new Dictionary<string, LineageNode>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!_nodes.TryAdd(node.Id, node))
            {
                list.Add($"Duplicate node '{node.Id}' dropped.");
            }
        }

        var kept = new List<LineageEdge>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var edge in edges)
        {
            if (!_nodes.ContainsKey(edge.Source) || !_nodes.ContainsKey(edge.Target))
            {
                list.Add($"Edge {edge.Source} → {edge.Target} ({edge.Kind}) refers to a missing node; dropped.");
            }
            else if (seen.Add(edge.Id))
            {
                kept.Add(edge);
            }
        }

        Nodes = [.. _nodes.Values];
        Edges = kept;
        _out = _nodes.Keys.ToDictionary(k => k, _ => new List<LineageEdge>(), StringComparer.Ordinal);
        _in = _nodes.Keys.ToDictionary(k => k, _ => new List<LineageEdge>(), StringComparer.Ordinal);
        foreach (var edge in kept)
        {
            _out[edge.Source].Add(edge);
            _in[edge.Target].Add(edge);
        }

        Cycle = FindCycleNodes();
        if (Cycle.Count > 0)
        {
            list.Add($"Cycle through {string.Join(", ", Cycle.Order(StringComparer.Ordinal))}: the graph should be acyclic.");
        }

        Problems = list;
    }

    public IReadOnlyList<LineageNode> Nodes { get; }
    public IReadOnlyList<LineageEdge> Edges { get; }

    /// <summary>Missing references, duplicates and cycles found while building (none on a healthy portal).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The nodes on a cycle (empty when acyclic, as it is by construction).</summary>
    public IReadOnlySet<string> Cycle { get; }

    public LineageNode? Find(string id) => _nodes.GetValueOrDefault(id);

    public bool Contains(string id) => _nodes.ContainsKey(id);

    public IReadOnlyList<LineageEdge> OutEdges(string id) => _out.TryGetValue(id, out var e) ? e : [];

    public IReadOnlyList<LineageEdge> InEdges(string id) => _in.TryGetValue(id, out var e) ? e : [];

    public IEnumerable<string> Neighbours(string id) => OutEdges(id).Select(e => e.Target).Concat(InEdges(id).Select(e => e.Source)).Distinct(StringComparer.Ordinal);

    /// <summary>Everything the node reads from, directly or not, up to <paramref name="depth"/> hops (all when null); not the node.</summary>
    public IReadOnlySet<string> Upstream(string id, int? depth = null) => Walk(id, depth, n => InEdges(n).Select(e => e.Source));

    /// <summary>Everything that reads the node, directly or not, up to <paramref name="depth"/> hops (all when null); not the node.</summary>
    public IReadOnlySet<string> Downstream(string id, int? depth = null) => Walk(id, depth, n => OutEdges(n).Select(e => e.Target));

    /// <summary>What a change to or deletion of the node would touch: every node downstream, nearest first, then by kind and name.</summary>
    public IReadOnlyList<(LineageNode Node, int Distance)> Impact(string id)
    {
        var distance = Distances(id, n => OutEdges(n).Select(e => e.Target), null);
        return distance.Where(d => d.Key != id)
            .Select(d => (Node: _nodes[d.Key], Distance: d.Value))
            .OrderBy(d => d.Distance).ThenBy(d => d.Node.Kind).ThenBy(d => d.Node.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>The node, all it reads and all that reads it: the path a highlight shows.</summary>
    public IReadOnlySet<string> Path(string id) =>
        Contains(id) ? Upstream(id).Concat(Downstream(id)).Append(id).ToHashSet(StringComparer.Ordinal) : new HashSet<string>();

    /// <summary>A focus walks past a node's neighbours of one kind on one side when there are more than this (2,000 audiences of an adtech): they are left to a summary.</summary>
    public const int FocusFanOut = 25;

    /// <summary>
    /// The nodes within <paramref name="hops"/> of the centres (edges either way, except through groups of more than
    /// <see cref="FocusFanOut"/> neighbours of one kind on one side), plus the direct neighbours of the
    /// <paramref name="expanded"/> nodes and the members of the expanded summaries (<see cref="LineageSummaries"/>) whose
    /// anchor is shown; each shown node's count of neighbours left hidden.
    /// </summary>
    public LineageView Focus(IEnumerable<string> centres, int hops, IEnumerable<string>? expanded = null)
    {
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var centre in centres.Where(Contains))
        {
            shown.UnionWith(Distances(centre, FocusNeighbours, Math.Max(0, hops)).Keys);
        }

        var expand = (expanded ?? []).ToList();
        foreach (var node in expand.Where(shown.Contains).ToList())
        {
            shown.UnionWith(Neighbours(node));
        }

        foreach (var group in expand.Select(LineageSummaries.Parse).OfType<(string Anchor, LineageNodeKind Kind, bool Upstream)>().Where(g => shown.Contains(g.Anchor)).ToList())
        {
            shown.UnionWith(LineageSummaries.Members(this, group.Anchor, group.Kind, group.Upstream));
        }

        return View(shown);
    }

    /// <summary>The neighbours a focus walks to: every one, but no group of more than <see cref="FocusFanOut"/> of one kind on one side.</summary>
    private IEnumerable<string> FocusNeighbours(string id)
    {
        IEnumerable<string> Few(IEnumerable<string> ids) =>
            ids.Distinct(StringComparer.Ordinal).GroupBy(n => _nodes[n].Kind).Where(g => g.Count() <= FocusFanOut).SelectMany(g => g);
        return Few(OutEdges(id).Select(e => e.Target)).Concat(Few(InEdges(id).Select(e => e.Source))).Distinct(StringComparer.Ordinal);
    }

    /// <summary>The whole graph as a view: what the Lineage page shows before any focus or filter.</summary>
    public LineageView WholeView() => View(Nodes.Select(n => n.Id));

    /// <summary>A view of exactly these nodes (unknown ids ignored) with the edges between them and the hidden counts.</summary>
    public LineageView View(IEnumerable<string> ids)
    {
        var shown = ids.Where(Contains).ToHashSet(StringComparer.Ordinal);
        var nodes = Nodes.Where(n => shown.Contains(n.Id)).ToList();
        var edges = Edges.Where(e => shown.Contains(e.Source) && shown.Contains(e.Target)).ToList();
        var hidden = nodes.ToDictionary(n => n.Id, n => Neighbours(n.Id).Count(x => !shown.Contains(x)), StringComparer.Ordinal);
        return new LineageView(nodes, edges, hidden);
    }

    /// <summary>The whole graph as a view (nothing hidden).</summary>
    public LineageView All() => View(_nodes.Keys);

    /// <summary>Nodes whose name (or id) contains the text, ignoring case; exact names first.</summary>
    public IReadOnlyList<LineageNode> Search(string text)
    {
        var t = text.Trim();
        if (t.Length == 0)
        {
            return [];
        }

        return Nodes.Where(n => n.Name.Contains(t, StringComparison.OrdinalIgnoreCase) || n.Id.Equals(t, StringComparison.OrdinalIgnoreCase))
            .OrderBy(n => n.Name.Equals(t, StringComparison.OrdinalIgnoreCase) ? 0 : n.Name.StartsWith(t, StringComparison.OrdinalIgnoreCase) ? 1 : 2)
            .ThenBy(n => n.Kind).ThenBy(n => n.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>The nodes of these kinds and statuses (an empty set means any).</summary>
    public IReadOnlyList<LineageNode> Filter(IReadOnlyCollection<LineageNodeKind>? kinds, IReadOnlyCollection<LineageStatus>? statuses) =>
        Nodes.Where(n => (kinds is null || kinds.Count == 0 || kinds.Contains(n.Kind)) && (statuses is null || statuses.Count == 0 || statuses.Contains(n.Status))).ToList();

    private IReadOnlySet<string> Walk(string id, int? depth, Func<string, IEnumerable<string>> next)
    {
        var found = Distances(id, next, depth).Keys.ToHashSet(StringComparer.Ordinal);
        found.Remove(id);
        return found;
    }

    private Dictionary<string, int> Distances(string start, Func<string, IEnumerable<string>> next, int? depth)
    {
        var distance = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!Contains(start))
        {
            return distance;
        }

        distance[start] = 0;
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            var d = distance[node];
            if (depth is { } max && d >= max)
            {
                continue;
            }

            foreach (var n in next(node))
            {
                if (distance.TryAdd(n, d + 1))
                {
                    queue.Enqueue(n);
                }
            }
        }

        return distance;
    }

    /// <summary>Kahn's algorithm: what cannot be ordered lies on (or behind) a cycle; of those, the nodes that reach themselves.</summary>
    private HashSet<string> FindCycleNodes()
    {
        var indegree = _nodes.Keys.ToDictionary(k => k, k => _in[k].Count, StringComparer.Ordinal);
        var queue = new Queue<string>(indegree.Where(i => i.Value == 0).Select(i => i.Key));
        while (queue.Count > 0)
        {
            foreach (var edge in _out[queue.Dequeue()])
            {
                if (--indegree[edge.Target] == 0)
                {
                    queue.Enqueue(edge.Target);
                }
            }
        }

        var left = indegree.Where(i => i.Value > 0).Select(i => i.Key).ToList();
        return left.Where(n => Distances(n, x => _out[x].Select(e => e.Target), null).Keys.Any(k => _out[k].Any(e => e.Target == n))).ToHashSet(StringComparer.Ordinal);
    }
}
