using Portal.Components.Shared;
using Portal.Core.Audiences;

namespace Portal.Components.Pages.Audiences;

/// <summary>
/// Checks the audience editor's text off the render thread. A keystroke's check waits a moment for the next keystroke
/// (debounce) and is dropped when a newer text arrives; a check that takes longer than the budget is answered with an
/// issue saying so, so a hostile text never holds the circuit.
/// </summary>
public sealed class LiveValidation(Func<string, string, StateParseResult> validate, TimeSpan debounce, TimeSpan budget) : IDisposable
{
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(2);

    private CancellationTokenSource? _pending;

    /// <summary>The checks asked for so far (now or scheduled), counted when asked, before any of them runs.</summary>
    public int Requests { get; private set; }

    /// <summary>The page's default: the editor service's own check, within its configured limits.</summary>
    public static LiveValidation For(AudienceEditor editor) => new(editor.Parse, DefaultDebounce, DefaultBudget);

    /// <summary>Checks <paramref name="text"/> as <paramref name="name"/>'s state now, dropping any scheduled check.</summary>
    public Task<StateParseResult> CheckAsync(string name, string text)
    {
        Cancel();
        Requests++;
        return RunAsync(name, text, CancellationToken.None);
    }

    /// <summary>After the debounce, checks the text and hands the result to <paramref name="apply"/>, unless a newer text came first.</summary>
    public void Schedule(string name, string text, Func<StateParseResult, Task> apply)
    {
        Cancel();
        Requests++;
        _pending = new CancellationTokenSource();
        _ = RunScheduledAsync(name, text, apply, _pending.Token);
    }

    /// <summary>Editor markers for <paramref name="issues"/>: each underlines from its column to the end of its line.</summary>
    public static IReadOnlyList<EditorMarker> Markers(string text, IReadOnlyList<StateIssue> issues)
    {
        var lines = text.Split('\n');
        return issues.Select(i =>
        {
            var line = Math.Clamp(i.Line, 1, Math.Max(1, lines.Length));
            var length = lines[line - 1].TrimEnd('\r').Length;
            var column = Math.Max(1, i.Column);
            return new EditorMarker(line, column, line, Math.Max(column + 1, length + 1), $"{i.Field}: {i.Message}");
        }).ToList();
    }

    private async Task RunScheduledAsync(string name, string text, Func<StateParseResult, Task> apply, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(debounce, cancellationToken);
            var result = await RunAsync(name, text, cancellationToken);
            if (!cancellationToken.IsCancellationRequested)
            {
                await apply(result);
            }
        }
        catch (OperationCanceledException)
        {
            // A newer text is being checked instead.
        }
    }

    private async Task<StateParseResult> RunAsync(string name, string text, CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Run(() => validate(name, text), cancellationToken).WaitAsync(budget, cancellationToken);
        }
        catch (TimeoutException)
        {
            return new StateParseResult(null, [new StateIssue(name + ".yml", 1, 1, "(yaml)",
                $"Checking this text took longer than {budget.TotalSeconds:0.#} s, so it was stopped; simplify the YAML.")]);
        }
    }

    private void Cancel()
    {
        _pending?.Cancel();
        _pending?.Dispose();
        _pending = null;
    }

    public void Dispose() => Cancel();
}
