using Blazor.Diagrams.Core.Geometry;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Lineage;
using Portal.Core.Lineage;
using Portal.Tests.Core.Lineage;

namespace Portal.Tests.Web.Components.Lineage;

/// <summary>The graph component without a browser: the diagram it builds from a lineage view, selection, focus, path, the list.</summary>
public sealed class LineageGraphViewTests : IAsyncDisposable
{
    /// <summary>How long a drawn change may take to show (the canvas redraws after the render that changed it).</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly BunitContext _ctx = new();

    public LineageGraphViewTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton<LineageLayout>();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        // The canvas measures itself once (Z.Blazor.Diagrams' script): a 1,000 × 600 box.
        _ctx.JSInterop.Setup<Rectangle>("ZBlazorDiagrams.getBoundingClientRect", _ => true).SetResult(new Rectangle(0, 0, 1000, 600));
        _ctx.JSInterop.SetupModule("./js/lineage-graph.js").Mode = JSRuntimeMode.Loose;
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    private IRenderedComponent<LineageGraphView> Render(LineageGraph? graph = null, string? focus = null, int hops = 1)
    {
        _ctx.Render<MudPopoverProvider>();
        return _ctx.Render<LineageGraphView>(p => p.Add(x => x.Graph, graph ?? LineageGraphTests.Chain()).Add(x => x.FocusId, focus).Add(x => x.Hops, hops));
    }

    private static LineageDiagram DiagramOf(IRenderedComponent<LineageGraphView> view) => Assert.IsType<LineageDiagram>(view.Instance.Diagram);

    [Fact]
    public void Render_WholeGraph_DrawsANodePerNodeAndALinkPerEdgeAtTheLayoutsPositions()
    {
        var view = Render();

        var diagram = DiagramOf(view);
        Assert.Equal(7, diagram.Diagram.Nodes.Count);
        Assert.Equal(6, diagram.Diagram.Links.Count);
        Assert.True(diagram.Nodes["table:t"].Position.X < diagram.Nodes["adtech:x"].Position.X);
        Assert.Equal(new Blazor.Diagrams.Core.Geometry.Size(LineageLayout.NodeWidth, LineageLayout.NodeHeight), diagram.Nodes["segment:s2"].Size);
        Assert.True(diagram.Nodes["segment:s2"].ControlledSize);
        // Drawn in the browser: every node (a small graph is fitted), each with its kind, name and status in words.
        view.WaitForAssertion(() => Assert.Equal(7, view.FindAll(".lineage-node").Count), Wait);
        var stale = view.Find("[data-lineage-id='segment:s2']");
        Assert.Equal(("s2", "Segment · stale"), (stale.QuerySelector(".lineage-node-name")!.TextContent, stale.QuerySelector(".lineage-node-sub")!.TextContent));
        Assert.Equal("button", stale.GetAttribute("role"));
        Assert.Contains("kind-Segment", stale.ClassName, StringComparison.Ordinal);
        Assert.Equal("0", stale.GetAttribute("tabindex"));
        var links = view.FindAll("path.lineage-link");
        Assert.Equal(6, links.Count);
        Assert.Contains(view.FindAll("text.lineage-link-label"), t => t.TextContent == "UNION");
        Assert.Equal("7", view.Find("[data-testid='lineage-canvas']").GetAttribute("data-nodes"));
    }

    [Fact]
    public void Render_EdgeKinds_MembershipDashedRunsDottedExportInTheAudiencesStatusColour()
    {
        var graph = new LineageGraph(
            [Node("segment:s"), Node("rule:r", LineageNodeKind.Rule), Node("job:j", LineageNodeKind.Job), Node("audience:a", LineageNodeKind.Audience), Node("adtech:x", LineageNodeKind.Adtech)],
            [new("segment:s", "rule:r", LineageEdgeKind.Membership), new("job:j", "segment:s", LineageEdgeKind.Runs), new("audience:a", "adtech:x", LineageEdgeKind.Export, "POSTED")]);

        var view = Render(graph);

        view.WaitForAssertion(() => Assert.Equal(3, view.FindAll("path.lineage-link").Count), Wait);
        Assert.Equal("6 4", view.Find("path.edge-Membership").GetAttribute("stroke-dasharray"));
        Assert.Equal("1.5 3", view.Find("path.edge-Runs").GetAttribute("stroke-dasharray"));
        Assert.Equal("#43a047", view.Find("path.edge-Export").GetAttribute("stroke"));
        Assert.Null(view.Find("path.edge-Export").GetAttribute("stroke-dasharray"));
    }

    [Fact]
    public void Render_FocusedOneHop_DrawsTheNeighbourhoodWithHiddenCounts()
    {
        var view = Render(focus: "segment:s2");

        var diagram = DiagramOf(view);
        Assert.Equal(["audience:a", "segment:s", "segment:s2", "segment:s3"], diagram.Nodes.Keys.Where(k => !LineageSummaries.IsSummary(k)).Order(StringComparer.Ordinal));
        // What the focus leaves out stands beside it as summary nodes: the adtech after the audience, the rule before the segment.
        Assert.Equal(["summary:audience:a|Adtech|out", "summary:segment:s|Rule|in"], diagram.Nodes.Keys.Where(LineageSummaries.IsSummary).Order(StringComparer.Ordinal));
        Assert.Equal(1, diagram.Nodes["segment:s"].Hidden);
        view.WaitForAssertion(() => Assert.Equal("+1", view.Find("[data-lineage-id='segment:s'] .lineage-node-hidden").FirstChild!.TextContent), Wait);
        // Focused on a node: it is selected and its details are open.
        Assert.True(diagram.Nodes["segment:s2"].Selected);
        Assert.Equal("s2", view.Find("aside[aria-label='Node details'] h2").TextContent);
    }

    [Fact]
    public async Task EnterOnASummaryNode_ShowsTheNodesItStandsFor()
    {
        var view = Render(focus: "segment:s2");
        const string Summary = "[data-lineage-id='summary:audience:a|Adtech|out']";
        view.WaitForAssertion(() => view.Find(Summary), Wait);
        Assert.Equal("1 adtech", view.Find(Summary + " .lineage-node-name").TextContent);
        Assert.Contains("a → 1 adtech", view.Find(Summary).GetAttribute("title"), StringComparison.Ordinal);

        await view.InvokeAsync(() => view.Find(Summary).KeyDown("Enter"));

        view.WaitForAssertion(() => Assert.Contains("adtech:x", DiagramOf(view).Nodes.Keys), Wait);
        Assert.DoesNotContain("summary:audience:a|Adtech|out", DiagramOf(view).Nodes.Keys);
        Assert.Contains("summary:segment:s|Rule|in", DiagramOf(view).Nodes.Keys);
        view.WaitForAssertion(() => view.Find("[data-lineage-id='adtech:x']"), Wait);
    }

    [Fact]
    public async Task EnterOnANode_ShowsItsDetailsAndEscapeClosesThem()
    {
        var view = Render(focus: "segment:s2");
        view.WaitForAssertion(() => view.Find("[data-lineage-id='segment:s']"), Wait);

        await view.InvokeAsync(() => view.Find("[data-lineage-id='segment:s']").KeyDown("Enter"));

        var panel = view.Find("aside[aria-label='Node details']");
        Assert.Equal("s", panel.QuerySelector("h2")!.TextContent);
        Assert.Equal("1", panel.QuerySelector("dd[aria-label='Row count']")!.TextContent);
        Assert.Equal("fresh", panel.QuerySelector("dd[aria-label='Status']")!.TextContent);
        Assert.Equal("1", panel.QuerySelector("dd[aria-label='Hidden neighbours']")!.TextContent);
        Assert.Contains("adtech", panel.QuerySelector("ul[aria-label='Impact']")!.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.True(DiagramOf(view).Nodes["segment:s"].Selected);
        Assert.Equal("true", view.Find("[data-lineage-id='segment:s']").GetAttribute("aria-pressed"));

        await view.InvokeAsync(() => view.Find("[data-lineage-id='segment:s']").KeyDown("Escape"));

        Assert.Empty(view.FindAll("aside[aria-label='Node details']"));
        Assert.False(DiagramOf(view).Nodes["segment:s"].Selected);
    }

    [Fact]
    public async Task Expand_ASelectedNodeWithHiddenNeighbours_BuildsANewDiagramWithThem()
    {
        var view = Render(focus: "segment:s2");
        view.WaitForAssertion(() => view.Find("[data-lineage-id='segment:s']"), Wait);
        await view.InvokeAsync(() => view.Find("[data-lineage-id='segment:s']").KeyDown("Enter"));
        var before = DiagramOf(view);

        view.WaitForAssertion(() => Assert.Contains(view.FindAll("button"), b => b.TextContent.Contains("Expand (1 hidden)", StringComparison.Ordinal)), Wait); // it renders after the event before it

        await view.InvokeAsync(() => view.FindAll("button").First(b => b.TextContent.Contains("Expand (1 hidden)", StringComparison.Ordinal)).Click());

        var after = DiagramOf(view);
        Assert.NotSame(before, after);
        Assert.Contains("rule:r", after.Nodes.Keys);
        Assert.Equal(5, after.Nodes.Keys.Count(k => !LineageSummaries.IsSummary(k)));
    }

    [Fact]
    public async Task FocusHere_OnAWholeGraph_NarrowsTheDiagramToTheNodesNeighbourhood()
    {
        var view = Render();
        view.WaitForAssertion(() => view.Find("[data-lineage-id='table:t']"), Wait);
        await view.InvokeAsync(() => view.Find("[data-lineage-id='table:t']").KeyDown("Enter"));

        view.WaitForAssertion(() => Assert.Contains(view.FindAll("button"), b => b.TextContent == "Focus here"), Wait); // it renders after the event before it

        await view.InvokeAsync(() => view.FindAll("button").First(b => b.TextContent == "Focus here").Click());

        view.WaitForAssertion(() => Assert.Equal(["rule:r", "summary:rule:r|Segment|out", "table:t"], DiagramOf(view).Nodes.Keys.Order(StringComparer.Ordinal)), Wait);
        view.WaitForAssertion(() => Assert.Equal(3, view.FindAll(".lineage-node").Count), Wait);
    }

    [Fact]
    public async Task HighlightPath_OfASelectedNode_MarksItsUpstreamAndDownstreamAndDimsTheRest()
    {
        var view = Render();
        view.WaitForAssertion(() => view.Find("[data-lineage-id='segment:s']"), Wait);
        await view.InvokeAsync(() => view.Find("[data-lineage-id='segment:s']").KeyDown("Enter"));

        view.WaitForAssertion(() => Assert.Contains(view.FindAll("button"), b => b.TextContent == "Highlight path"), Wait); // it renders after the event before it

        await view.InvokeAsync(() => view.FindAll("button").First(b => b.TextContent == "Highlight path").Click());

        var marks = DiagramOf(view).Nodes.Values.ToDictionary(n => n.Id, n => n.Mark);
        Assert.Equal(["adtech:x", "audience:a", "rule:r", "segment:s", "segment:s2", "table:t"],
            marks.Where(m => m.Value == LineageMark.Highlighted).Select(m => m.Key).Order(StringComparer.Ordinal));
        Assert.Equal(LineageMark.Dimmed, marks["segment:s3"]);
        view.WaitForAssertion(() => Assert.Contains("mark-Dimmed", view.Find("[data-lineage-id='segment:s3']").ClassName, StringComparison.Ordinal), Wait);
        Assert.Equal("6", view.Find("[data-testid='lineage-canvas']").GetAttribute("data-highlighted"));
    }

    [Fact]
    public async Task ShowAsAList_ListsEveryShownNodeWithItsStatusAndInputs()
    {
        var view = Render();

        view.WaitForAssertion(() => Assert.Contains(view.FindAll("button"), b => b.TextContent.Contains("Show as a list", StringComparison.Ordinal)), Wait); // it renders after the event before it

        await view.InvokeAsync(() => view.FindAll("button").First(b => b.TextContent.Contains("Show as a list", StringComparison.Ordinal)).Click());

        var list = view.Find("[aria-label='Shown nodes as a list']");
        Assert.Equal(7, list.QuerySelectorAll("tbody tr").Count(r => r.QuerySelectorAll("td").Length > 0));
        var s2 = list.QuerySelectorAll("tbody tr").Single(r => r.QuerySelectorAll("td").Length > 1 && r.QuerySelectorAll("td")[1].TextContent == "s2");
        Assert.Equal(("stale", "s, s3"), (s2.QuerySelectorAll("td")[2].TextContent, s2.QuerySelectorAll("td")[4].TextContent));
    }

    [Fact]
    public async Task BigGraph_OpensFocusedOnTheLatestSegmentAndShowAllDrawsOnlyWhatIsOnScreen()
    {
        var graph = LineageViewportTests.Big(400);

        var view = Render(graph);

        var focused = DiagramOf(view);
        Assert.True(focused.Nodes.Count < 20, $"{focused.Nodes.Count} nodes in the default view");
        Assert.Contains("segment:s399", focused.Nodes.Keys); // refreshed last
        Assert.Contains("most recently refreshed segment", view.Markup, StringComparison.Ordinal);

        await view.InvokeAsync(() => view.FindAll("button").First(b => b.TextContent == "Show all").Click());

        view.WaitForAssertion(() => Assert.Equal(800, DiagramOf(view).Nodes.Count), TimeSpan.FromSeconds(30));
        view.WaitForAssertion(() => Assert.True(view.FindAll(".lineage-node").Count is > 0 and < 200, $"{view.FindAll(".lineage-node").Count} drawn"), Wait);
        Assert.Equal(DiagramOf(view).Viewport.VisibleNodes, view.FindAll(".lineage-node").Count);
        // The minimap shows every node of the view (one path, a rectangle per node), not only those drawn.
        Assert.Equal(800, view.Find("svg.lineage-minimap path.lineage-minimap-nodes").GetAttribute("d")!.Count(c => c == 'M'));
        Assert.Single(view.FindAll("svg.lineage-minimap rect.lineage-minimap-view"));
    }

    [Fact]
    public void ShowAll_ABigGraphNeverLaidOut_IsUsableAtOnceOnItsFocusViewThenDrawsTheWholeGraph()
    {
        var graph = LineageViewportTests.Big(400);
        _ctx.Render<MudPopoverProvider>();

        var view = _ctx.Render<LineageGraphView>(p => p.Add(x => x.Graph, graph).Add(x => x.ShowAll, true));

        view.WaitForAssertion(() => Assert.Equal(800, DiagramOf(view).Nodes.Count), TimeSpan.FromSeconds(30));
        Assert.True(view.Instance.InterimShown);
        view.WaitForAssertion(() => Assert.Equal("true", view.Find("[data-testid='lineage-canvas']").GetAttribute("data-complete")), Wait);
        Assert.DoesNotContain("never laid out before", view.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void ShowAll_ABigGraphLaidOutBefore_DrawsTheWholeGraphWithNoFocusViewFirst()
    {
        var graph = LineageViewportTests.Big(400);
        _ctx.Services.GetRequiredService<LineageLayout>().Compute(graph.WholeView(), groupByDomain: false);
        _ctx.Render<MudPopoverProvider>();

        var view = _ctx.Render<LineageGraphView>(p => p.Add(x => x.Graph, graph).Add(x => x.ShowAll, true));

        view.WaitForAssertion(() => Assert.Equal(800, DiagramOf(view).Nodes.Count), TimeSpan.FromSeconds(30));
        Assert.False(view.Instance.InterimShown);
    }

    private static LineageNode Node(string id, LineageNodeKind kind = LineageNodeKind.Segment) =>
        new(id, kind, id.Split(':')[1], LineageStatus.Fresh, 1, null, null, LineageDomains.Segments);
}
