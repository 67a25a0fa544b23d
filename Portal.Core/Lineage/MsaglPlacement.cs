using Microsoft.Msagl.Core.Geometry.Curves;
using Microsoft.Msagl.Core.Layout;
using Microsoft.Msagl.Core.Routing;
using Microsoft.Msagl.Layout.Layered;
using Microsoft.Msagl.Miscellaneous;
using MsaglPoint = Microsoft.Msagl.Core.Geometry.Point;

namespace Portal.Core.Lineage;

/// <summary>
/// MSAGL's layered layout of a lineage view, left to right: nodes only (the canvas draws its own curves, so MSAGL's
/// edge routing, most of its time, is switched off). Separate components are packed by MSAGL; positions are centres
/// in screen orientation (y down). Nodes are <c>nodeWidth</c> × <c>nodeHeight</c>, or as tall as <c>heights</c> says.
/// </summary>
internal static class MsaglPlacement
{
    public static Dictionary<string, LayoutPoint> Place(LineageView view, double nodeWidth, double nodeHeight, double layerGap, double nodeGap,
        IReadOnlyDictionary<string, double>? heights = null)
    {
        var graph = new GeometryGraph();
        var nodes = new Dictionary<string, Node>(view.Nodes.Count, StringComparer.Ordinal);
        foreach (var n in view.Nodes)
        {
            var height = heights is not null && heights.TryGetValue(n.Id, out var tall) ? tall : nodeHeight;
            var node = new Node(CurveFactory.CreateRectangle(nodeWidth, height, new MsaglPoint()), n.Id);
            nodes[n.Id] = node;
            graph.Nodes.Add(node);
        }

        var seen = new HashSet<(string, string)>();
        foreach (var e in view.Edges)
        {
            // Two edges of different kinds between the same nodes are one for the layout; a self-loop places nothing.
            if (e.Source != e.Target && seen.Add((e.Source, e.Target)))
            {
                var edge = new Edge(nodes[e.Source], nodes[e.Target]);
                nodes[e.Source].AddOutEdge(edge);
                nodes[e.Target].AddInEdge(edge);
                graph.Edges.Add(edge);
            }
        }

        if (graph.Nodes.Count == 0)
        {
            return [];
        }

        // Layers run top to bottom in MSAGL; a quarter turn makes them run left to right (the separations are then
        // swapped: layers are separated horizontally, nodes of a layer vertically).
        var settings = new SugiyamaLayoutSettings
        {
            Transformation = PlaneTransformation.Rotation(Math.PI / 2),
            LayerSeparation = layerGap,
            NodeSeparation = nodeGap,
            PackingMethod = PackingMethod.Compact,
            // Fewer crossing-reduction passes than MSAGL's defaults (24 and 5): on the benchmark's 2,000-node lineage a
            // third less time for as few crossings (bench/README.md); a single pass doubled the crossings.
            MaxNumberOfPassesInOrdering = 4,
            RepetitionCoefficientForOrdering = 1,
            NoGainAdjacentSwapStepsBound = 1,
        };
        settings.EdgeRoutingSettings.EdgeRoutingMode = EdgeRoutingMode.None;
        LayoutHelpers.CalculateLayout(graph, settings, null, null);

        var placed = nodes.ToDictionary(p => p.Key, p => new LayoutPoint(p.Value.Center.X, -p.Value.Center.Y), StringComparer.Ordinal);
        // Data flows left to right: if the rotation put sources on the right, mirror.
        var flowsLeft = view.Edges.Count(e => e.Source != e.Target && placed[e.Source].X > placed[e.Target].X);
        if (flowsLeft * 2 > view.Edges.Count)
        {
            foreach (var id in placed.Keys.ToList())
            {
                placed[id] = placed[id] with { X = -placed[id].X };
            }
        }

        var left = placed.Values.Min(p => p.X);
        var top = placed.Values.Min(p => p.Y);
        return placed.ToDictionary(p => p.Key, p => new LayoutPoint(p.Value.X - left + nodeWidth / 2, p.Value.Y - top + nodeHeight / 2), StringComparer.Ordinal);
    }
}
