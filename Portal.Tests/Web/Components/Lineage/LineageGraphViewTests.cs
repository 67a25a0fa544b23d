using Bunit;
using MudBlazor;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Core.Lineage;
using Portal.Components.Pages.Lineage;
using Portal.Tests.Core.Lineage;

namespace Portal.Tests.Web.Components.Lineage;

/// <summary>The graph component without a browser: what it sends to lineage-graph.js, and the side panel.</summary>
public sealed class LineageGraphViewTests : IAsyncDisposable
{
    private readonly BunitContext _ctx = new();
    private readonly BunitJSModuleInterop _module;

    public LineageGraphViewTests()
    {
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton<LineageLayout>();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _module = _ctx.JSInterop.SetupModule("./js/lineage-graph.js");
        _module.Mode = JSRuntimeMode.Loose;
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();

    private IRenderedComponent<LineageGraphView> Render(string? focus = null, int hops = 1)
    {
        _ctx.Render<MudPopoverProvider>();
        return _ctx.Render<LineageGraphView>(p => p.Add(x => x.Graph, LineageGraphTests.Chain()).Add(x => x.FocusId, focus).Add(x => x.Hops, hops));
    }

    [Fact]
    public void Render_WholeGraph_SendsEveryNodeAndEdgeWithKindAndStatusClasses()
    {
        Render();

        var payload = Assert.IsType<LineagePayload>(Assert.Single(_module.Invocations["create"]).Arguments[2]);
        Assert.Equal(7, payload.Nodes.Count);
        Assert.Equal(6, payload.Edges.Count);
        var stale = payload.Nodes.Single(n => n.Data.Id == "segment:s2");
        Assert.Equal(("s2", "Segment", "Stale", "kind-Segment status-Stale"), (stale.Data.Label, stale.Data.Kind, stale.Data.Status, stale.Classes));
        var union = payload.Edges.Single(e => e.Data.Source == "segment:s3");
        Assert.Equal(("segment:s2", "DependsOn", "UNION", "DependsOn"), (union.Data.Target, union.Data.Kind, union.Data.Label, union.Classes));
        Assert.All(payload.Nodes, n => Assert.Null(n.Data.Parent));
        // Positions from the server's layout: the table (first column) left of the adtech (last).
        Assert.All(payload.Nodes, n => Assert.NotNull(n.Position));
        Assert.True(payload.Nodes.Single(n => n.Data.Id == "table:t").Position!.X < payload.Nodes.Single(n => n.Data.Id == "adtech:x").Position!.X);
    }

    [Fact]
    public async Task Render_AgainWhileTheFirstDrawIsInFlight_DrawsOnceThenSendsTheChangeAsAnUpdate()
    {
        var strict = _ctx.JSInterop.SetupModule("./js/lineage-graph.js");
        var create = strict.SetupVoid("create", _ => true); // left pending: the browser is still drawing
        strict.SetupVoid("update", _ => true).SetVoidResult();
        var view = Render();
        var toggle = view.FindComponent<MudSwitch<bool>>();

        view.Render();
        await view.InvokeAsync(() => toggle.Instance.ValueChanged.InvokeAsync(true));
        view.Render();
        Assert.Single(strict.Invocations["create"]);
        Assert.Empty(strict.Invocations["update"]);

        await view.InvokeAsync(create.SetVoidResult);

        view.WaitForAssertion(() => Assert.Single(strict.Invocations["update"]));
        Assert.Single(strict.Invocations["create"]);
        var update = Assert.IsType<LineagePayload>(strict.Invocations["update"][0].Arguments[1]);
        Assert.Contains(update.Nodes, n => n.Data.Kind == "Domain");
    }

    [Fact]
    public async Task GroupByDomain_Switched_SendsDomainBoxesWithoutPositionsAroundPlacedNodes()
    {
        var view = Render();
        var toggle = view.FindComponent<MudSwitch<bool>>();

        await view.InvokeAsync(() => toggle.Instance.ValueChanged.InvokeAsync(true));

        var update = Assert.IsType<LineagePayload>(_module.Invocations["update"].Last().Arguments[1]);
        var box = Assert.Single(update.Nodes, n => n.Data.Kind == "Domain");
        Assert.Null(box.Position);
        Assert.All(update.Nodes.Where(n => n != box), n => Assert.Equal((box.Data.Id, true), (n.Data.Parent, n.Position is not null)));
    }

    [Fact]
    public void Render_FocusedOneHop_SendsTheNeighbourhoodWithHiddenCounts()
    {
        Render("segment:s2", 1);

        var payload = Assert.IsType<LineagePayload>(Assert.Single(_module.Invocations["create"]).Arguments[2]);
        Assert.Equal(["audience:a", "segment:s", "segment:s2", "segment:s3"], payload.Nodes.Select(n => n.Data.Id).Order(StringComparer.Ordinal));
        var s = payload.Nodes.Single(n => n.Data.Id == "segment:s");
        Assert.Equal((1, "s (+1)"), (s.Data.Hidden, s.Data.Label));
        Assert.Contains("has-hidden", s.Classes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeClicked_ASegment_ShowsItsDetailsAndExpandSendsItsNeighbours()
    {
        var view = Render("segment:s2", 1);

        await view.InvokeAsync(() => view.Instance.NodeClicked("segment:s"));

        var panel = view.Find("aside[aria-label='Node details']");
        Assert.Contains("s", panel.QuerySelector("h2")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("1", panel.QuerySelector("dd[aria-label='Row count']")!.TextContent);
        Assert.Equal("fresh", panel.QuerySelector("dd[aria-label='Status']")!.TextContent);
        Assert.Equal("1", panel.QuerySelector("dd[aria-label='Hidden neighbours']")!.TextContent);
        Assert.Contains("adtech", panel.QuerySelector("ul[aria-label='Impact']")!.TextContent, StringComparison.OrdinalIgnoreCase);

        view.FindAll("button").First(b => b.TextContent.Contains("Expand", StringComparison.Ordinal)).Click();

        var update = Assert.IsType<LineagePayload>(_module.Invocations["update"].Last().Arguments[1]);
        Assert.Contains(update.Nodes, n => n.Data.Id == "rule:r");
    }

    [Fact]
    public async Task HighlightPath_OfASelectedNode_SendsItsUpstreamAndDownstream()
    {
        var view = Render();
        await view.InvokeAsync(() => view.Instance.NodeClicked("segment:s"));

        view.FindAll("button").First(b => b.TextContent.Contains("Highlight path", StringComparison.Ordinal)).Click();

        var ids = Assert.IsType<string[]>(_module.Invocations["highlight"].Last().Arguments[1]);
        Assert.Equal(["adtech:x", "audience:a", "rule:r", "segment:s", "segment:s2", "table:t"], ids.Order(StringComparer.Ordinal));
    }
}
