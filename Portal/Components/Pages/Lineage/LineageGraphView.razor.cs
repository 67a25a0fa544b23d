using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

public sealed partial class LineageGraphView
{
    private readonly HashSet<string> _focus = new(StringComparer.Ordinal);
    private readonly HashSet<string> _expanded = new(StringComparer.Ordinal);
    private readonly HashSet<LineageNodeKind> _kinds = [];
    private readonly HashSet<LineageStatus> _statuses = [];
    private ElementReference _canvas;
    private IJSObjectReference? _module;
    private DotNetObjectReference<LineageGraphView>? _self;
    private LineageGraph? _drawn;
    private LineagePayload? _sent;
    private Task? _creating;
    private LineageView? _view;
    private LineageNode? _selected;
    private IReadOnlyList<LineageNode> _matches = [];
    private LineageSelector? _selector;
    private string? _search;
    private string? _selectorText;
    private string? _selectorError;
    private int _hops = 1;
    private int _version;
    private int _layingOut;

    /// <summary>Views with more nodes than this are laid out on a pool thread, with a progress bar.</summary>
    private const int BackgroundLayoutNodes = 300;
    private bool _groupByDomain;

    [Parameter, EditorRequired]
    public LineageGraph? Graph { get; set; }

    /// <summary>When set, the view starts focused on this node (a detail page's neighbourhood) with <see cref="Hops"/>.</summary>
    [Parameter]
    public string? FocusId { get; set; }

    [Parameter]
    public int Hops { get; set; } = 1;

    /// <summary>The payload last sent to the browser (what the bUnit tests read).</summary>
    internal LineagePayload? Payload { get; private set; }

    internal LineageView? View => _view;

    protected override async Task OnParametersSetAsync()
    {
        if (ReferenceEquals(_drawn, Graph))
        {
            return;
        }

        _hops = Hops;
        _focus.Clear();
        _expanded.Clear();
        if (FocusId is { } id && Graph?.Contains(id) == true)
        {
            _focus.Add(id);
            _selected = Graph.Find(id);
        }
        else if (_selected is { } s)
        {
            _selected = Graph?.Find(s.Id);
        }

        await ComputeAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (Payload is null)
        {
            return;
        }

        if (_creating is null)
        {
            _creating = CreateAsync(Payload);
            await _creating;
        }
        else if (!_creating.IsCompleted)
        {
            // Renders while the graph is first drawn (the page's own, the status bar's) must not draw it again: the
            // call awaiting the first draw sends what changed meanwhile.
            return;
        }

        if (!ReferenceEquals(_sent, Payload))
        {
            _sent = Payload;
            _drawn = Graph;
            await _module!.InvokeVoidAsync("update", _canvas, Payload);
        }
    }

    private async Task CreateAsync(LineagePayload payload)
    {
        _module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/lineage-graph.js");
        _self = DotNetObjectReference.Create(this);
        _sent = payload;
        _drawn = Graph;
        await _module.InvokeVoidAsync("create", _canvas, _self, payload);
        if (_selected is { } s)
        {
            await _module.InvokeVoidAsync("select", _canvas, s.Id, false);
        }
    }

    [JSInvokable]
    public Task NodeClicked(string? id)
    {
        _selected = id is null ? null : Graph?.Find(id);
        StateHasChanged();
        return Task.CompletedTask;
    }

    /// <summary>Decides what is shown: the focus (or everything), then the selector, then the kind and status filters.</summary>
    private async Task ComputeAsync()
    {
        if (Graph is null)
        {
            return;
        }

        var version = ++_version;

        IEnumerable<string> ids = _focus.Count > 0 ? Graph.Focus(_focus, _hops, _expanded).Nodes.Select(n => n.Id) : Graph.Nodes.Select(n => n.Id);
        if (_selector is not null)
        {
            var selected = _selector.Evaluate(Graph);
            ids = ids.Where(selected.Contains);
        }

        if (_kinds.Count > 0 || _statuses.Count > 0)
        {
            var kept = Graph.Filter(_kinds, _statuses).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            ids = ids.Where(kept.Contains);
        }

        var view = Graph.View(ids);
        var group = _groupByDomain;
        LineageLayoutResult layout;
        if (view.Nodes.Count > BackgroundLayoutNodes)
        {
            // A big view's layout takes a moment: off the circuit's thread, with a progress bar meanwhile.
            _layingOut = view.Nodes.Count;
            StateHasChanged();
            layout = await Task.Run(() => Layout.Compute(view, group));
            _layingOut = 0;
        }
        else
        {
            layout = Layout.Compute(view, group);
        }

        if (version == _version)
        {
            _view = view;
            Payload = LineagePayload.From(view, group, layout);
        }
    }

    private static string StatusText(LineageStatus status) => status switch
    {
        LineageStatus.NeverRun => "never run",
        LineageStatus.None => "—",
        _ => status.ToString().ToLowerInvariant(),
    };

    private void SearchChanged(string? text)
    {
        _search = text;
        _matches = Graph is null || string.IsNullOrWhiteSpace(text) ? [] : Graph.Search(text);
    }

    private async Task SelectAsync(string id, bool centre)
    {
        _selected = Graph?.Find(id);
        if (_selected is not null && _view?.Nodes.Any(n => n.Id == id) != true)
        {
            // Not shown (focused or filtered away): focus on it so it can be seen.
            _focus.Clear();
            _focus.Add(id);
            _expanded.Clear();
            _selector = null;
            _kinds.Clear();
            _statuses.Clear();
            await ComputeAsync();
            return;
        }

        if (_module is not null)
        {
            await _module.InvokeVoidAsync("select", _canvas, id, centre);
        }
    }

    private async Task HighlightAsync()
    {
        if (_selected is null || Graph is null || _module is null)
        {
            return;
        }

        var path = Graph.Path(_selected.Id);
        await _module.InvokeVoidAsync("highlight", _canvas, _view!.Nodes.Select(n => n.Id).Where(path.Contains).ToArray());
    }

    private async Task FocusAsync()
    {
        if (_selected is null)
        {
            return;
        }

        _focus.Clear();
        _focus.Add(_selected.Id);
        _expanded.Clear();
        await ComputeAsync();
    }

    private async Task ExpandAsync()
    {
        if (_selected is null || Graph is null)
        {
            return;
        }

        if (_focus.Count == 0)
        {
            _focus.Add(_selected.Id);
        }

        _expanded.Add(_selected.Id);
        await ComputeAsync();
    }

    private async Task HopsChanged(int hops)
    {
        _hops = Math.Max(0, hops);
        await ComputeAsync();
    }

    private async Task GroupChanged(bool value)
    {
        _groupByDomain = value;
        await ComputeAsync();
    }

    private async Task ToggleKindAsync(LineageNodeKind kind)
    {
        if (!_kinds.Remove(kind))
        {
            _kinds.Add(kind);
        }

        await ComputeAsync();
    }

    private async Task ToggleStatusAsync(LineageStatus status)
    {
        if (!_statuses.Remove(status))
        {
            _statuses.Add(status);
        }

        await ComputeAsync();
    }

    private async Task SelectorKeyUp(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await ApplySelectorAsync();
        }
    }

    private async Task ApplySelectorAsync()
    {
        if (string.IsNullOrWhiteSpace(_selectorText))
        {
            _selector = null;
            _selectorError = null;
        }
        else if (LineageSelector.TryParse(_selectorText, out var selector, out var error))
        {
            _selector = selector;
            _selectorError = null;
            _focus.Clear();
        }
        else
        {
            _selectorError = error;
        }

        await ComputeAsync();
    }

    private async Task ShowAllAsync()
    {
        _focus.Clear();
        _expanded.Clear();
        _selector = null;
        _selectorText = null;
        _kinds.Clear();
        _statuses.Clear();
        await ComputeAsync();
    }

    private async Task CallAsync(string function, params object[] args)
    {
        if (_module is not null)
        {
            await _module.InvokeVoidAsync(function, [_canvas, .. args]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("dispose", _canvas);
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone; so is the graph.
            }
        }

        _self?.Dispose();
    }
}
