using System.Globalization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using Portal.Core.Lineage;

namespace Portal.Components.Pages.Lineage;

/// <summary>The toolbar's and the details panel's actions: search, selector, filters, hops, grouping, path, focus, expand, export.</summary>
public sealed partial class LineageGraphView : IAsyncDisposable
{
    private void SearchChanged(string? text)
    {
        _search = text;
        _matches = Graph is null || string.IsNullOrWhiteSpace(text) ? [] : Graph.Search(text);
    }

    private Task HighlightAsync()
    {
        if (_selected is null || Graph is null || _diagram is null)
        {
            return Task.CompletedTask;
        }

        _highlighted = _diagram.Highlight(Graph.Path(_selected.Id));
        return Task.CompletedTask;
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
        _defaultFocus = null;
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

    /// <summary>A summary node clicked: the neighbours it stands for join the focus view.</summary>
    private async Task ExpandSummaryAsync(string id)
    {
        if (Graph is null || _focus.Count == 0)
        {
            return;
        }

        _expanded.Add(id);
        await ComputeAsync();
        StateHasChanged(); // called from the diagram's click, outside this component's own event handling
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

    private Task ToggleKindAsync(LineageNodeKind kind) => ToggleAsync(_kinds, kind);

    private Task ToggleStatusAsync(LineageStatus status) => ToggleAsync(_statuses, status);

    private Task ToggleDomainAsync(string domain) => ToggleAsync(_domains, domain);

    private async Task ToggleAsync<T>(HashSet<T> set, T value)
    {
        if (!set.Remove(value))
        {
            set.Add(value);
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
            _defaultFocus = null;
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
        _domains.Clear();
        _defaultFocus = null;
        await ComputeAsync();
    }

    /// <summary>What is on screen, as SVG written from the layout, downloaded as is or rasterised to PNG by the browser (twice the size, for slides).</summary>
    private async Task ExportAsync(bool png)
    {
        if (_diagram is not { Viewport.Placed: true } d || _module is null)
        {
            return;
        }

        var svg = LineageSvg.Write(d, d.Viewport.Visible());
        await _module.InvokeVoidAsync(png ? "downloadPng" : "downloadSvg", svg, png ? "lineage.png" : "lineage.svg");
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Detach();
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone; so is the module.
            }
        }
    }
}
