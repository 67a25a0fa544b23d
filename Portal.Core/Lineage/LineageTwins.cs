namespace Portal.Core.Lineage;

/// <summary>
/// A view with its twins taken together: nodes with the same neighbours in the view (audiences exported to the same
/// adtechs from the same data source, say). A layered layout gains nothing by placing twins one at a time (in any order
/// they cross the same edges), and MSAGL's layering slows down steeply with thousands of them (a band of 10,000
/// audiences and four adtechs was not laid out in 18 minutes), so each set of twins is laid out as one node as tall as
/// its members stacked, and the members are then stacked in its place, by name.
/// </summary>
internal sealed class LineageTwins
{
    private readonly Dictionary<string, List<string>> _members;
    private readonly double _nodeHeight;
    private readonly double _nodeGap;

    private LineageTwins(LineageView reduced, Dictionary<string, List<string>> members, double nodeHeight, double nodeGap)
    {
        Reduced = reduced;
        _members = members;
        _nodeHeight = nodeHeight;
        _nodeGap = nodeGap;
        Heights = members.Where(m => m.Value.Count > 1)
            .ToDictionary(m => m.Key, m => m.Value.Count * nodeHeight + (m.Value.Count - 1) * nodeGap, StringComparer.Ordinal);
    }

    /// <summary>The view with one node for each set of twins (the first by name) and its edges once.</summary>
    public LineageView Reduced { get; }

    /// <summary>The height of each node that stands for twins.</summary>
    public IReadOnlyDictionary<string, double> Heights { get; }

    public static LineageTwins Of(LineageView view, double nodeHeight, double nodeGap)
    {
        var neighbours = view.Nodes.ToDictionary(n => n.Id, _ => (In: new SortedSet<string>(StringComparer.Ordinal), Out: new SortedSet<string>(StringComparer.Ordinal)), StringComparer.Ordinal);
        foreach (var e in view.Edges.Where(e => e.Source != e.Target))
        {
            neighbours[e.Source].Out.Add(e.Target);
            neighbours[e.Target].In.Add(e.Source);
        }

        var members = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var standsFor = new Dictionary<string, string>(view.Nodes.Count, StringComparer.Ordinal);
        foreach (var twins in view.Nodes
                     .OrderBy(n => n.Name, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal)
                     .GroupBy(n => string.Join('\n', neighbours[n.Id].In) + "\n>\n" + string.Join('\n', neighbours[n.Id].Out), StringComparer.Ordinal))
        {
            var ids = twins.Select(n => n.Id).ToList();
            members[ids[0]] = ids;
            foreach (var id in ids)
            {
                standsFor[id] = ids[0];
            }
        }

        var nodes = view.Nodes.Where(n => members.ContainsKey(n.Id)).ToList();
        var seen = new HashSet<(string, string)>();
        var edges = view.Edges.Select(e => e with { Source = standsFor[e.Source], Target = standsFor[e.Target] })
            .Where(e => e.Source != e.Target && seen.Add((e.Source, e.Target))).ToList();
        return new LineageTwins(new LineageView(nodes, edges, view.HiddenNeighbours), members, nodeHeight, nodeGap);
    }

    /// <summary>The positions of every node of the view, from those of <see cref="Reduced"/>: twins stacked in their node's place.</summary>
    public Dictionary<string, LayoutPoint> Expand(IReadOnlyDictionary<string, LayoutPoint> placed)
    {
        var positions = new Dictionary<string, LayoutPoint>(_members.Sum(m => m.Value.Count), StringComparer.Ordinal);
        foreach (var (id, ids) in _members)
        {
            var centre = placed[id];
            var top = centre.Y - (ids.Count * _nodeHeight + (ids.Count - 1) * _nodeGap) / 2;
            for (var i = 0; i < ids.Count; i++)
            {
                positions[ids[i]] = new LayoutPoint(centre.X, top + i * (_nodeHeight + _nodeGap) + _nodeHeight / 2);
            }
        }

        return positions;
    }
}
