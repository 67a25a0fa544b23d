using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GraphShape;
using GraphShape.Algorithms.Layout;
using QuikGraph;

namespace Portal.Core.Lineage;

/// <summary>A node's centre on the lineage canvas, in graph units (pixels at zoom 1).</summary>
public readonly record struct LayoutPoint(double X, double Y);

/// <summary>Where each shown node goes, how long the layout took, and whether it came from the cache.</summary>
public sealed record LineageLayoutResult(IReadOnlyDictionary<string, LayoutPoint> Positions, double Milliseconds, bool Cached);

/// <summary>
/// Lays a lineage view out left to right in layers on the server, with MSAGL's layered layout (AutomaticGraphLayout;
/// GraphShape's Sugiyama over QuikGraph is the alternative engine, slower on big graphs: see bench/README.md); a big
/// view a domain at a time, the domains side by side, twins (nodes with the same neighbours) laid out as one and
/// stacked. Empty rows the placement leaves are closed up. With grouping by domain, each domain's nodes keep their column and order
/// and are moved into a horizontal band of their own, so domain boxes never overlap. Layouts are cached by the view's
/// shape (nodes, edges, grouping): the same view is laid out once, whoever asks. Thread-safe; one instance for the app.
/// </summary>
public sealed class LineageLayout
{
    public const double NodeWidth = 160;
    public const double NodeHeight = 36;

    /// <summary>Horizontal space between layers (room for edge labels).</summary>
    public const double LayerGap = 90;

    /// <summary>Vertical space between nodes of a layer.</summary>
    public const double NodeGap = 18;

    /// <summary>Vertical space between domain bands (room for the domain's label).</summary>
    public const double BandGap = 60;

    /// <summary>
    /// Views with more nodes than this are laid out a domain at a time (<see cref="PlaceByDomain"/>), each with its twins
    /// taken together (<see cref="LineageTwins"/>); smaller ones as a whole, node by node, for fewer crossings.
    /// </summary>
    public const int ByDomainAbove = 300;

    private const int CacheSize = 32;
    private readonly Dictionary<string, Lazy<IReadOnlyDictionary<string, LayoutPoint>>> _cache = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();
    private readonly LineageLayoutEngine _engine;

    public LineageLayout()
        : this(LineageLayoutEngine.Msagl)
    {
    }

    /// <summary>A layout with the given engine (the benchmark compares them; the portal uses the default).</summary>
    public LineageLayout(LineageLayoutEngine engine) => _engine = engine;

    public LineageLayoutResult Compute(LineageView view, bool groupByDomain)
    {
        var started = Stopwatch.GetTimestamp();
        var key = KeyOf(view, groupByDomain);
        Lazy<IReadOnlyDictionary<string, LayoutPoint>>? entry;
        bool cached;
        lock (_lock)
        {
            cached = _cache.TryGetValue(key, out entry);
            if (!cached)
            {
                // One computation per shape: a caller asking while another lays the same view out waits for that one.
                entry = new Lazy<IReadOnlyDictionary<string, LayoutPoint>>(() => Place(view, groupByDomain), LazyThreadSafetyMode.ExecutionAndPublication);
                Add(key, entry);
            }
        }

        try
        {
            return new LineageLayoutResult(entry!.Value, Stopwatch.GetElapsedTime(started).TotalMilliseconds, cached);
        }
        catch
        {
            lock (_lock)
            {
                // A failed layout is not kept: the next caller tries again.
                if (_cache.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
                {
                    _cache.Remove(key);
                }
            }

            throw;
        }
    }

    private IReadOnlyDictionary<string, LayoutPoint> Place(LineageView view, bool groupByDomain)
    {
        var domains = DomainsOf(view);
        var positions = view.Nodes.Count <= ByDomainAbove ? PlaceWhole(view)
            : domains.Count > 1 ? PlaceByDomain(view, domains)
            : PlaceWithTwinsStacked(view);
        return groupByDomain ? Bands(view, positions) : Squeeze(positions.Keys, positions, 0);
    }

    private Dictionary<string, LayoutPoint> PlaceWhole(LineageView view) =>
        _engine == LineageLayoutEngine.Msagl ? MsaglPlacement.Place(view, NodeWidth, NodeHeight, LayerGap, NodeGap) : Sugiyama(view);

    /// <summary>
    /// Lays each domain's nodes out on their own (with the edges inside the domain), the domains in parallel, and puts
    /// them side by side in the order data flows through them, a layer's gap apart and centred on the tallest: edges
    /// between domains then point right too. On the benchmark's 2,000-node lineage this is 0.4 s instead of 12 s for the whole graph at once, whose
    /// edges across domains and from jobs to everything they run span many layers (bench/README.md).
    /// </summary>
    private Dictionary<string, LayoutPoint> PlaceByDomain(LineageView view, IReadOnlyList<IGrouping<string, LineageNode>> domains)
    {
        var parts = domains.Select(domain =>
        {
            var ids = domain.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            return new LineageView([.. domain], [.. view.Edges.Where(e => ids.Contains(e.Source) && ids.Contains(e.Target))], view.HiddenNeighbours);
        }).ToList();
        var placed = new Dictionary<string, LayoutPoint>[parts.Count];
        Parallel.For(0, parts.Count, i => placed[i] = PlaceWithTwinsStacked(parts[i]));

        // Each domain centred on the tallest, as a layered layout centres a source on what it feeds: a domain of a few
        // nodes read by everything (the customer tables) does not sit in a corner with all its edges fanning out of it.
        var positions = new Dictionary<string, LayoutPoint>(view.Nodes.Count, StringComparer.Ordinal);
        var tallest = placed.Where(p => p.Count > 0).Max(p => p.Values.Max(x => x.Y) - p.Values.Min(x => x.Y));
        var left = 0.0;
        foreach (var part in placed.Where(p => p.Count > 0))
        {
            var (partLeft, partTop) = (part.Values.Min(p => p.X), part.Values.Min(p => p.Y));
            var down = (tallest - (part.Values.Max(p => p.Y) - partTop)) / 2;
            foreach (var (id, p) in part)
            {
                positions[id] = new LayoutPoint(p.X - partLeft + left + NodeWidth / 2, p.Y - partTop + down + NodeHeight / 2);
            }

            left += part.Values.Max(p => p.X) - partLeft + NodeWidth + LayerGap;
        }

        return positions;
    }

    /// <summary>A part laid out with each set of its twins as one node (<see cref="LineageTwins"/>), by MSAGL (the alternative engine places them one by one).</summary>
    private Dictionary<string, LayoutPoint> PlaceWithTwinsStacked(LineageView part)
    {
        if (_engine != LineageLayoutEngine.Msagl)
        {
            return PlaceWhole(part);
        }

        var twins = LineageTwins.Of(part, NodeHeight, NodeGap);
        return twins.Expand(MsaglPlacement.Place(twins.Reduced, NodeWidth, NodeHeight, LayerGap, NodeGap, twins.Heights));
    }

    /// <summary>The view's nodes by domain, in the order data flows through the domains (others after, by name).</summary>
    private static List<IGrouping<string, LineageNode>> DomainsOf(LineageView view) =>
        [.. view.Nodes.GroupBy(n => n.Domain, StringComparer.Ordinal)
            .OrderBy(g => LineageDomains.FlowOrder.IndexOf(g.Key) is var i and >= 0 ? i : int.MaxValue)
            .ThenBy(g => g.Key, StringComparer.Ordinal)];

    private static Dictionary<string, LayoutPoint> Sugiyama(LineageView view)
    {
        var graph = new BidirectionalGraph<string, Edge<string>>(allowParallelEdges: false);
        graph.AddVertexRange(view.Nodes.Select(n => n.Id));
        foreach (var edge in view.Edges)
        {
            // Two edges of different kinds between the same nodes are one for the layout; a self-loop places nothing.
            if (edge.Source != edge.Target && !graph.ContainsEdge(edge.Source, edge.Target))
            {
                graph.AddEdge(new Edge<string>(edge.Source, edge.Target));
            }
        }

        if (graph.VertexCount == 0)
        {
            return [];
        }

        var sizes = graph.Vertices.ToDictionary(v => v, _ => new Size(NodeWidth, NodeHeight), StringComparer.Ordinal);
        var parameters = new SugiyamaLayoutParameters
        {
            Direction = LayoutDirection.LeftToRight,
            LayerGap = LayerGap,
            SliceGap = NodeGap,
        };
        var algorithm = new SugiyamaLayoutAlgorithm<string, Edge<string>, BidirectionalGraph<string, Edge<string>>>(graph, sizes, parameters);
        algorithm.Compute();
        return algorithm.VerticesPositions.ToDictionary(p => p.Key, p => new LayoutPoint(p.Value.X, p.Value.Y), StringComparer.Ordinal);
    }

    /// <summary>
    /// Closes the empty rows the Sugiyama placement leaves (isolated nodes and separate components end up far apart):
    /// any vertical gap between neighbouring rows wider than one node and its gap becomes exactly that. Rows keep their
    /// order, nodes aligned with each other stay aligned, and two nodes at least a row apart still are.
    /// </summary>
    private static Dictionary<string, LayoutPoint> Squeeze(IEnumerable<string> ids, Dictionary<string, LayoutPoint> positions, double top)
    {
        const double Pitch = NodeHeight + NodeGap;
        var list = ids.ToList();
        var rows = list.Select(id => positions[id].Y).Distinct().Order().ToList();
        var mapped = new Dictionary<double, double>(rows.Count);
        var y = top;
        for (var i = 0; i < rows.Count; i++)
        {
            y += i == 0 ? 0 : Math.Min(rows[i] - rows[i - 1], Pitch);
            mapped[rows[i]] = y;
        }

        return list.ToDictionary(id => id, id => positions[id] with { Y = mapped[positions[id].Y] }, StringComparer.Ordinal);
    }

    /// <summary>Squeezes each domain's nodes into a band of its own, domains in the order data flows through them, so domain boxes never overlap.</summary>
    private static Dictionary<string, LayoutPoint> Bands(LineageView view, Dictionary<string, LayoutPoint> positions)
    {
        var banded = new Dictionary<string, LayoutPoint>(positions.Count, StringComparer.Ordinal);
        var top = 0.0;
        foreach (var domain in DomainsOf(view))
        {
            var band = Squeeze(domain.Select(n => n.Id), positions, top);
            foreach (var (id, p) in band)
            {
                banded[id] = p;
            }

            top = band.Values.Max(p => p.Y) + NodeHeight + BandGap;
        }

        return banded;
    }

    /// <summary>Whether this view's layout is computed and cached (one still being computed is not), so <see cref="Compute"/> returns at once.</summary>
    public bool HasLayout(LineageView view, bool groupByDomain)
    {
        var key = KeyOf(view, groupByDomain);
        lock (_lock)
        {
            return _cache.TryGetValue(key, out var entry) && entry.IsValueCreated;
        }
    }

    /// <summary>
    /// Puts a layout computed before (by an earlier run of the portal, see <see cref="LineageLayoutWarmer"/>) in the
    /// cache under its view's <see cref="KeyOf"/>, unless that view has a layout already. True when it was added.
    /// </summary>
    public bool Seed(string key, IReadOnlyDictionary<string, LayoutPoint> positions)
    {
        lock (_lock)
        {
            if (_cache.ContainsKey(key))
            {
                return false;
            }

            Add(key, new Lazy<IReadOnlyDictionary<string, LayoutPoint>>(positions));
            return true;
        }
    }

    /// <summary>Caches a layout, forgetting the oldest beyond <see cref="CacheSize"/>. Under the lock.</summary>
    private void Add(string key, Lazy<IReadOnlyDictionary<string, LayoutPoint>> entry)
    {
        _cache.Add(key, entry);
        _order.Enqueue(key);
        if (_order.Count > CacheSize)
        {
            _cache.Remove(_order.Dequeue());
        }
    }

    /// <summary>What a view's layout is cached under: its nodes (and their domains when grouped) and edges, hashed.</summary>
    public static string KeyOf(LineageView view, bool groupByDomain)
    {
        // In a fixed order: the same graph read again (rows and files may come back in another order) is the same key.
        var text = new StringBuilder(groupByDomain ? "g|" : "f|");
        foreach (var node in view.Nodes.Select(n => $"{n.Id}@{(groupByDomain ? n.Domain : "")}").Order(StringComparer.Ordinal))
        {
            text.Append(node).Append('\n');
        }

        foreach (var edge in view.Edges.Select(e => $"{e.Source}->{e.Target}").Order(StringComparer.Ordinal))
        {
            text.Append(edge).Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
