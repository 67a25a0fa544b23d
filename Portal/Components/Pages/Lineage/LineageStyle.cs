using System.Collections.Frozen;
using Portal.Core.Lineage;
using MudIcons = MudBlazor.Icons.Material.Filled;

namespace Portal.Components.Pages.Lineage;

/// <summary>
/// How each node kind, status and edge kind looks, shared by the node and link widgets, the legend and the SVG export:
/// a colour, an icon and a corner shape per kind (so kinds differ by more than colour), a colour and a word per status.
/// </summary>
public static class LineageStyle
{
    /// <summary>A kind's fill, its Material icon (SVG path markup on a 24×24 box) and its corner radii (top-left, top-right, bottom-right, bottom-left).</summary>
    public sealed record KindStyle(string Fill, string Icon, double[] Corners, string Shape);

    private static readonly FrozenDictionary<LineageNodeKind, KindStyle> Kinds = new Dictionary<LineageNodeKind, KindStyle>
    {
        [LineageNodeKind.Table] = new("#546e7a", MudIcons.TableChart, [0, 0, 0, 0], "square"),
        [LineageNodeKind.Dataset] = new("#795548", MudIcons.InsertDriveFile, [0, 12, 0, 0], "folded corner"),
        [LineageNodeKind.DataSource] = new("#6d4c41", MudIcons.Http, [12, 12, 12, 12], "rounded"),
        [LineageNodeKind.Rule] = new("#3949ab", MudIcons.Rule, [3, 3, 3, 3], "card"),
        [LineageNodeKind.Segment] = new("#00796b", MudIcons.DonutLarge, [18, 18, 18, 18], "pill"),
        [LineageNodeKind.Audience] = new("#8e24aa", MudIcons.Groups, [18, 3, 18, 3], "leaf"),
        [LineageNodeKind.Adtech] = new("#bf360c", MudIcons.Campaign, [0, 18, 18, 0], "arrow end"),
        [LineageNodeKind.Job] = new("#455a64", MudIcons.Schedule, [8, 8, 8, 8], "dashed"),
        [LineageNodeKind.Summary] = new("#78909c", MudIcons.Layers, [4, 4, 4, 4], "stacked cards"),
    }.ToFrozenDictionary();

    public static KindStyle Of(LineageNodeKind kind) => Kinds[kind];

    public static string StatusColour(LineageStatus status) => status switch
    {
        LineageStatus.Fresh => "#43a047",
        LineageStatus.Stale => "#fbc02d",
        LineageStatus.Failed => "#e53935",
        LineageStatus.NeverRun => "#9e9e9e",
        LineageStatus.Refreshing => "#1e88e5",
        _ => "#cfd8dc",
    };

    public static string StatusText(LineageStatus status) => status switch
    {
        LineageStatus.NeverRun => "never run",
        LineageStatus.None => "—",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>The statuses a node can show (the legend's list).</summary>
    public static readonly LineageStatus[] Statuses = [LineageStatus.Fresh, LineageStatus.Stale, LineageStatus.Failed, LineageStatus.NeverRun, LineageStatus.Refreshing];

    /// <summary>An export edge's colour from the audience's status (POSTED, NOT_POSTED, NOT_FETCHED); other edges are grey.</summary>
    public static string EdgeColour(LineageEdge edge) => edge.Kind == LineageEdgeKind.Export
        ? edge.Label switch
        {
            "POSTED" => "#43a047",
            "NOT_POSTED" => "#fb8c00",
            _ => "#9e9e9e",
        }
        : "#90a4ae";

    /// <summary>SVG dash pattern: membership tests dashed, a job's runs dotted, the rest solid.</summary>
    public static string? Dash(LineageEdgeKind kind) => kind switch
    {
        LineageEdgeKind.Membership => "6 4",
        LineageEdgeKind.Runs => "1.5 3",
        _ => null,
    };

    /// <summary>A CSS border-radius from a kind's corners.</summary>
    public static string Radius(KindStyle style) => string.Join(' ', style.Corners.Select(c => $"{c:0}px"));
}
