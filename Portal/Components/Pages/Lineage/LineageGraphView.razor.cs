using Blazor.Diagrams.Core.Models.Base;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

public sealed partial class LineageGraphView
{
    /// <summary>Graphs bigger than this open on a focus view (a search's best match or the latest segment), "show all" one click away.</summary>
    public const int FocusAbove = 300;

    /// <summary>Hops around the centre of that default focus view (one: two hops through a job reach every segment it refreshes).</summary>
    public const int DefaultFocusHops = 1;

    /// <summary>Views with more nodes than this are laid out on a pool thread, with a progress bar.</summary>
    private const int BackgroundLayoutNodes = 300;

    private readonly HashSet<string> _focus = new(StringComparer.Ordinal);
    private readonly HashSet<string> _expanded = new(StringComparer.Ordinal);
    private readonly HashSet<LineageNodeKind> _kinds = [];
    private readonly HashSet<LineageStatus> _statuses = [];
    private readonly HashSet<string> _domains = new(StringComparer.Ordinal);
    private ElementReference _canvas;
    private IJSObjectReference? _module;
    private LineageGraph? _drawn;
    private LineageDiagram? _diagram;
    private LineageDiagram? _ready;
    private LineageDiagram? _readyPending;
    private LineageNode? _selected;
    private LineageNode? _defaultFocus;
    private LineageNode? _interim;
    private LineageDiagram? _interimDiagram;
    private string _defaultReason = "";
    private IReadOnlyList<LineageNode> _matches = [];
    private LineageSelector? _selector;
    private string? _search;
    private string? _selectorText;
    private string? _selectorError;
    private int _hops = 1;
    private int _version;
    private int _layingOut;
    private int _highlighted;
    private bool _groupByDomain;
    private bool _listOpen;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [Inject]
    private LineageLayout Layout { get; set; } = null!;

    [Parameter, EditorRequired]
    public LineageGraph? Graph { get; set; }

    /// <summary>When set, the view starts focused on this node (a detail page's neighbourhood) with <see cref="Hops"/>.</summary>
    [Parameter]
    public string? FocusId { get; set; }

    [Parameter]
    public int Hops { get; set; } = 1;

    /// <summary>Start on the whole graph even when it is big (the page's <c>?view=all</c>).</summary>
    [Parameter]
    public bool ShowAll { get; set; }

    /// <summary>A search to start with (the page's <c>?search=</c>): a big graph opens focused on its best match.</summary>
    [Parameter]
    public string? Search { get; set; }

    /// <summary>The diagram drawn now (what the bUnit tests read).</summary>
    internal LineageDiagram? Diagram => _diagram;

    /// <summary>Whether a focus view was shown while the view asked for was being laid out (what the bUnit tests read).</summary>
    internal bool InterimShown { get; private set; }

    private bool ShowingAll => _focus.Count == 0 && _selector is null && _kinds.Count == 0 && _statuses.Count == 0 && _domains.Count == 0;

    private IEnumerable<string> Domains => Graph is null ? [] : Graph.Nodes.Select(n => n.Domain).Distinct(StringComparer.Ordinal)
        .OrderBy(d => LineageDomains.FlowOrder.IndexOf(d) is var i and >= 0 ? i : int.MaxValue).ThenBy(d => d, StringComparer.Ordinal);

    protected override async Task OnParametersSetAsync()
    {
        if (ReferenceEquals(_drawn, Graph) || Graph is null)
        {
            return;
        }

        _drawn = Graph;
        _hops = Hops;
        _focus.Clear();
        _expanded.Clear();
        _defaultFocus = null;
        if (FocusId is { } id && Graph.Contains(id))
        {
            _focus.Add(id);
            _selected = Graph.Find(id);
        }
        else if (_selected is { } s)
        {
            _selected = Graph.Find(s.Id);
        }
        else if (!ShowAll && Graph.Nodes.Count > FocusAbove && DefaultCentre(Graph) is { } centre)
        {
            _defaultFocus = centre;
            _focus.Add(centre.Id);
            _hops = Math.Max(_hops, DefaultFocusHops);
        }

        if (!string.IsNullOrWhiteSpace(Search) && _search is null)
        {
            SearchChanged(Search);
        }

        await ComputeAsync();
    }

    /// <summary>The centre of a big graph's first view: the search's best match, else the most recently refreshed segment.</summary>
    private LineageNode? DefaultCentre(LineageGraph graph)
    {
        if (!string.IsNullOrWhiteSpace(Search) && graph.Search(Search) is [var match, ..])
        {
            _defaultReason = "the best match for the search";
            return match;
        }

        _defaultReason = "the most recently refreshed segment";
        return graph.Nodes.Where(n => n.Kind == LineageNodeKind.Segment).MaxBy(n => n.LastRefreshedAt ?? DateTime.MinValue)
            ?? graph.Nodes.MaxBy(n => graph.Neighbours(n.Id).Count());
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/lineage-graph.js");
        }

        if (_readyPending is { } pending && _module is not null)
        {
            // The frame with the first view's nodes is in the DOM: the page's clock says when the browser has drawn it.
            _readyPending = null;
            await _module.InvokeVoidAsync("markReady", _canvas, !ReferenceEquals(pending, _interimDiagram));
            _ready = pending;
            StateHasChanged();
        }
    }

    /// <summary>Decides what is shown (the focus or everything, then the selector, then the filters), lays it out and builds its diagram.</summary>
    private async Task ComputeAsync()
    {
        if (Graph is null)
        {
            return;
        }

        var version = ++_version;
        var view = ChooseView(Graph);
        var group = _groupByDomain;
        LineageDiagram diagram;
        if (view.Nodes.Count > BackgroundLayoutNodes)
        {
            if (_diagram is null && _focus.Count == 0 && !Layout.HasLayout(view, group) && DefaultCentre(Graph) is { } centre)
            {
                // The first view is a big graph never laid out (seconds of layout): its focus view, laid out in
                // milliseconds, is shown and usable at once, and replaced by the whole graph once that is laid out.
                var focus = LineageSummaries.Add(Graph, Graph.Focus([centre.Id], DefaultFocusHops));
                Show(LineageDiagram.Create(focus, Layout.Compute(focus, group), group), interim: centre);
            }

            // A big view's layout (and diagram) takes a moment: off the circuit's thread, with a progress bar meanwhile.
            _layingOut = view.Nodes.Count;
            StateHasChanged();
            diagram = await Task.Run(() => LineageDiagram.Create(view, Layout.Compute(view, group), group));
            _layingOut = 0;
        }
        else
        {
            diagram = LineageDiagram.Create(view, Layout.Compute(view, group), group);
        }

        if (version == _version)
        {
            Show(diagram);
        }
    }

    /// <summary>
    /// The view asked for: the focus (with summary nodes for what it leaves out) or everything, then the selector, then
    /// the filters (a filtered view has no summaries: what a filter hides is not summarised).
    /// </summary>
    private LineageView ChooseView(LineageGraph graph)
    {
        var filtered = _selector is not null || _kinds.Count > 0 || _statuses.Count > 0 || _domains.Count > 0;
        if (_focus.Count > 0 && !filtered)
        {
            return LineageSummaries.Add(graph, graph.Focus(_focus, _hops, _expanded));
        }

        IEnumerable<string> ids = _focus.Count > 0 ? graph.Focus(_focus, _hops, _expanded).Nodes.Select(n => n.Id) : graph.Nodes.Select(n => n.Id);
        if (_selector is not null)
        {
            var selected = _selector.Evaluate(graph);
            ids = ids.Where(selected.Contains);
        }

        if (_kinds.Count > 0 || _statuses.Count > 0 || _domains.Count > 0)
        {
            var kept = graph.Filter(_kinds, _statuses).Where(n => _domains.Count == 0 || _domains.Contains(n.Domain)).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            ids = ids.Where(kept.Contains);
        }

        return graph.View(ids);
    }

    /// <summary>Draws a diagram: the view asked for, or (<paramref name="interim"/>) a focus on that node until it is laid out.</summary>
    private void Show(LineageDiagram diagram, LineageNode? interim = null)
    {
        Detach();
        _diagram = diagram;
        _interim = interim;
        if (interim is not null)
        {
            _interimDiagram = diagram;
            InterimShown = true;
        }
        _highlighted = 0;
        if (_selected is { } s && diagram.Nodes.ContainsKey(s.Id))
        {
            diagram.Select(s.Id);
        }

        diagram.Diagram.ContainerChanged += OnContainerChanged;
        diagram.Diagram.PointerClick += OnPointerClick;
    }

    private void Detach()
    {
        if (_diagram is { } old)
        {
            old.Diagram.ContainerChanged -= OnContainerChanged;
            old.Diagram.PointerClick -= OnPointerClick;
        }
    }

    private void OnContainerChanged()
    {
        if (_diagram is not { } d)
        {
            return;
        }

        if (d.Viewport.Placed)
        {
            d.Viewport.Resized();
            return;
        }

        d.Viewport.Place(_selected is { } s ? d.Nodes.GetValueOrDefault(s.Id) : null);
        _readyPending = d;
        InvokeAsync(StateHasChanged);
    }

    private void OnPointerClick(Model? model, Blazor.Diagrams.Core.Events.PointerEventArgs e)
    {
        if (model is LineageNodeModel node)
        {
            InvokeAsync(() => SelectAsync(node.Id, centre: false));
        }
    }

    private void Viewport(Action<LineageViewport> action)
    {
        if (_diagram is { } d)
        {
            action(d.Viewport);
        }
    }

    /// <summary>Shows a node's details; a node not in the view becomes the centre of a new focus view so it can be seen.</summary>
    internal async Task SelectAsync(string id, bool centre)
    {
        if (LineageSummaries.IsSummary(id))
        {
            await ExpandSummaryAsync(id);
            return;
        }

        _selected = Graph?.Find(id);
        if (_selected is null || _diagram is null)
        {
            return;
        }

        if (!_diagram.Nodes.TryGetValue(id, out var model))
        {
            _focus.Clear();
            _focus.Add(id);
            _expanded.Clear();
            _selector = null;
            _kinds.Clear();
            _statuses.Clear();
            _domains.Clear();
            _defaultFocus = null;
            await ComputeAsync();
            return;
        }

        _diagram.Select(id);
        if (centre && _diagram.Viewport.Placed)
        {
            _diagram.Viewport.CentreOn(model, Math.Max(_diagram.Diagram.Zoom, 1));
        }

        StateHasChanged();
    }

    internal void CloseDetails()
    {
        _selected = null;
        _diagram?.Select(null);
        StateHasChanged();
    }

    private async Task CanvasKeyDown(KeyboardEventArgs e)
    {
        const double Step = 80;
        switch (e.Key)
        {
            case "+" or "=": Viewport(v => v.ZoomBy(1.25)); break;
            case "-": Viewport(v => v.ZoomBy(0.8)); break;
            case "0": Viewport(v => v.Fit()); break;
            case "ArrowLeft": _diagram?.Diagram.UpdatePan(Step, 0); break;
            case "ArrowRight": _diagram?.Diagram.UpdatePan(-Step, 0); break;
            case "ArrowUp": _diagram?.Diagram.UpdatePan(0, Step); break;
            case "ArrowDown": _diagram?.Diagram.UpdatePan(0, -Step); break;
            case "Escape" when _selected is not null: CloseDetails(); break;
        }

        await Task.CompletedTask;
    }
}
