using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Components.Pages.Rules;

/// <summary>
/// Recomputes the impact preview a moment after each change of the draft (the same debounce as the estimate beside
/// it), cancelling the computation a newer change makes useless; a bar shows when one takes longer than
/// <see cref="ProgressAfter"/>.
/// </summary>
public sealed partial class RuleImpactPanel
{
    private CancellationTokenSource? _pending;
    private RuleDraft? _shown;
    private ImpactPreview? _preview;
    private bool _slow;

    [Inject]
    private SegmentImpact Impact { get; set; } = default!;

    [Parameter, EditorRequired]
    public RuleDraft Draft { get; set; } = default!;

    /// <summary>The rule being edited; a new rule (null) feeds nothing yet.</summary>
    [Parameter]
    public long? RuleId { get; set; }

    [Parameter]
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>How long a computation runs before the progress bar shows.</summary>
    [Parameter]
    public TimeSpan ProgressAfter { get; set; } = TimeSpan.FromSeconds(1);

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(_shown, Draft) || RuleId is null)
        {
            return;
        }

        _shown = Draft;
        _pending?.Cancel();
        _pending?.Dispose();
        _pending = new CancellationTokenSource();
        _ = RecomputeAsync(RuleId.Value, Draft, _pending.Token);
    }

    private async Task RecomputeAsync(long ruleId, RuleDraft draft, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Debounce, cancellationToken);
            var computing = Impact.PreviewAsync(ruleId, draft, cancellationToken);
            if (await Task.WhenAny(computing, Task.Delay(ProgressAfter, cancellationToken)) != computing)
            {
                await InvokeAsync(() => { _slow = true; StateHasChanged(); });
            }

            var preview = await computing;
            await InvokeAsync(() =>
            {
                _preview = preview;
                _slow = false;
                StateHasChanged();
            });
        }
        catch (OperationCanceledException)
        {
            // A newer change took over.
        }
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _pending?.Cancel();
        _pending?.Dispose();
    }
}
