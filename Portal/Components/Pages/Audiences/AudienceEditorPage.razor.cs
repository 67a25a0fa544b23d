using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Components.Shared;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Jobs;

namespace Portal.Components.Pages.Audiences;

/// <summary>The audience editor: YAML and form views of one state file, live checks, save with conflict handling, exports.</summary>
public partial class AudienceEditorPage
{
    private static readonly Regex TopKey = new(@"^(?<key>[^\s#:'""][^:#]*?)\s*:", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private CodeEditor? _code;
    private ElementReference _splitter;
    private DotNetObjectReference<AudienceEditorPage>? _self;
    private JobUpdates? _updates;

    private string? _loadedFor;
    private bool _isNew;
    private bool _loading = true;
    private bool _notFound;
    private string? _unreadable;
    private bool _saving;
    private bool _canEdit;
    private bool _canRun;

    private AudienceDocument? _opened;
    private string _initialText = "";
    private string _text = "";
    private StateParseResult _parse = new(null, []);
    private IReadOnlyList<EditorMarker> _markers = [];
    private AudienceOverview? _overview;
    private SaveResult? _conflict;
    private TextDiff? _conflictDiff;
    private JobRecord? _activeJob;
    private IReadOnlyDictionary<string, Portal.Core.Adtech.ExportRun>? _latestRuns;

    [Inject]
    private Portal.Core.Adtech.ExportRunQueries Runs { get; set; } = default!;

    [Parameter]
    public string? Name { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    private bool Dirty => !_loading && (_opened is null ? _text != _initialText : _text != _opened.Text);

    /// <summary>The audience's name: the route's for an existing one, the YAML's top-level key for a new one.</summary>
    private string CurrentName => !_isNew ? Name! : TopKey.Match(_text) is { Success: true } m ? m.Groups["key"].Value.Trim() : "new_audience";

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthState).User;
        _canEdit = user.IsOperator();
        _canRun = user.IsOperator();
        _updates = new JobUpdates(Notifier, InvokeAsync, OnJobChangesAsync);
    }

    protected override async Task OnParametersSetAsync()
    {
        var key = Name ?? "\u0000new";
        if (_loadedFor == key)
        {
            return;
        }

        _loadedFor = key;
        await LoadAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _self = DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("portal.onSave", "audience-editor", _self);
        }

        if (!_loading)
        {
            await JS.InvokeVoidAsync("portal.splitter", _splitter);
        }
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _conflict = null;
        _conflictDiff = null;
        _isNew = Name is null;
        if (_isNew)
        {
            _opened = null;
            _overview = null;
            await SetTextAsync(AudienceEditor.Template("new_audience"), initial: true);
        }
        else if (!AudienceEditor.IsSafeName(Name!) || await OpenAsync(Name!) is not { } document)
        {
            _notFound = true;
        }
        else
        {
            _opened = document;
            await SetTextAsync(document.Text, initial: true);
            _overview = await Queries.GetAsync(Name!);
            _latestRuns = await Runs.LatestByAdtechAsync(Name!);
        }

        _loading = false;
    }

    /// <summary>The state file's text; none, with the reason shown, when it is too large to open.</summary>
    private async Task<AudienceDocument?> OpenAsync(string name)
    {
        try
        {
            return await Editor.OpenAsync(name);
        }
        catch (BucketObjectTooLargeException ex)
        {
            _unreadable = AudienceCatalog.TooLarge(ex.Path, ex).Message;
            return null;
        }
    }

    /// <summary>Takes a whole new text (opened, reloaded, from the form) and checks it now, off the render thread.</summary>
    private async Task SetTextAsync(string text, bool initial)
    {
        if (initial)
        {
            _initialText = text;
        }

        _text = text;
        Show(text, await Validation.CheckAsync(CurrentName, text));
    }

    private void Show(string text, StateParseResult result)
    {
        if (text == _text)
        {
            _parse = result;
            _markers = LiveValidation.Markers(text, result.Issues);
        }
    }

    /// <summary>A keystroke: checked once typing pauses. Only people who may edit get a check (the editor is read-only for others).</summary>
    private Task OnTextChangedAsync(string text)
    {
        if (_canEdit && text != _text)
        {
            _text = text;
            Validation.Schedule(CurrentName, text, result => InvokeAsync(() =>
            {
                Show(text, result);
                StateHasChanged();
            }));
        }

        return Task.CompletedTask;
    }

    private async Task ApplyFormEditAsync(Action<AudienceState> edit)
    {
        var fresh = _canEdit ? await Validation.CheckAsync(CurrentName, _text) : null;
        if (fresh?.State is null)
        {
            return;
        }

        try
        {
            edit(fresh.State);
        }
        catch (ArgumentException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
            return;
        }

        var yaml = fresh.State.ToYaml();
        await SetTextAsync(yaml, initial: false);
        if (_code is not null)
        {
            await _code.SetTextAsync(yaml);
        }
    }

    /// <summary>Ctrl+S. A call from JavaScript is not a UI event, so the page re-renders itself afterwards.</summary>
    [JSInvokable]
    public Task OnSaveShortcut() => InvokeAsync(async () =>
    {
        await SaveAsync();
        StateHasChanged();
    });

    private async Task SaveAsync()
    {
        if (_saving || _loading || !_canEdit)
        {
            return;
        }

        // Save what the editor holds now, checked now: the last keystrokes' change events and check may still be on their way.
        await SetTextAsync(_code is not null ? await _code.GetTextAsync() : _text, initial: false);

        if (!_parse.IsValid)
        {
            Snackbar.Add($"Not saved: {_parse.Issues.Count} problem(s) in the YAML, the first at line {_parse.Issues[0].Line}, column {_parse.Issues[0].Column}.", Severity.Error);
            return;
        }

        _saving = true;
        try
        {
            var name = CurrentName;
            var text = _text;
            var result = await Editor.SaveAsync(name, text, _opened?.Version, (await AuthState).User);
            switch (result.Outcome)
            {
                case SaveOutcome.Saved:
                    _conflict = null;
                    _conflictDiff = null;
                    _opened = new AudienceDocument(name, text, result.Version!);
                    Snackbar.Add($"Saved {name}.", Severity.Success);
                    if (_isNew)
                    {
                        _initialText = text;
                        Navigation.NavigateTo($"audiences/{name}");
                    }
                    else
                    {
                        _overview = await Queries.GetAsync(name);
                    }

                    break;
                case SaveOutcome.Invalid:
                    Snackbar.Add($"Not saved: {result.Issues.Count} problem(s).", Severity.Error);
                    break;
                default:
                    _conflict = result;
                    _conflictDiff = result.CurrentText is null ? null : TextDiff.Compare(result.CurrentText, text);
                    Snackbar.Add(_isNew ? $"Not saved: '{name}' already exists." : "Not saved: someone else saved this audience first.", Severity.Error);
                    break;
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task TakeTheirsAsync()
    {
        if (_conflict is { CurrentText: { } theirs, CurrentVersion: { } version })
        {
            _opened = new AudienceDocument(CurrentName, theirs, version);
            await SetTextAsync(theirs, initial: false);
            if (_code is not null)
            {
                await _code.SetTextAsync(theirs);
            }

            _conflict = null;
            _conflictDiff = null;
            _overview = await Queries.GetAsync(CurrentName);
        }
    }

    private async Task OverwriteAsync()
    {
        if (_conflict is { CurrentText: { } theirs, CurrentVersion: { } version } && _opened is not null)
        {
            // Saving "over" theirs is an ordinary save against their version: theirs goes to history, like any replaced version.
            _opened = new AudienceDocument(CurrentName, theirs, version);
            await SaveAsync();
        }
    }

    private async Task OnRestoredAsync(SaveResult result)
    {
        if (result.Outcome == SaveOutcome.Saved)
        {
            Snackbar.Add("Restored the earlier version.", Severity.Success);
        }

        await ReloadFromBucketAsync(force: true);
    }

    /// <summary>Reads the file again (after a run or a restore wrote it); unsaved edits are kept and will conflict on save.</summary>
    private async Task ReloadFromBucketAsync(bool force)
    {
        if (_isNew || await OpenAsync(CurrentName) is not { } document)
        {
            return;
        }

        _overview = await Queries.GetAsync(CurrentName);
        _latestRuns = await Runs.LatestByAdtechAsync(CurrentName);
        if (Dirty && !force)
        {
            if (document.Version != _opened?.Version)
            {
                Snackbar.Add("The state file changed on disk while you have unsaved edits; saving will show both versions.", Severity.Warning);
            }

            return;
        }

        _opened = document;
        await SetTextAsync(document.Text, initial: false);
        if (_code is not null)
        {
            await _code.SetTextAsync(document.Text);
        }
    }

    private async Task ExportAsync(string? adtech)
    {
        try
        {
            var title = adtech is null ? $"Export {CurrentName}" : $"Export {CurrentName} to {AdtechKeys.DisplayName(adtech)}";
            _activeJob = await Queue.EnqueueAsync(CatalogRunJob.Kind, (await AuthState).User, CatalogRunJob.PayloadFor(CurrentName, adtech), title);
            Snackbar.Add($"Queued job {_activeJob.Id}: {title}", Severity.Info);
        }
        catch (UnauthorizedAccessException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }

    private async Task ResyncAsync() => await QueueAsync(user => Resync.QueueFullResyncAsync(CurrentName, null, user));

    /// <summary>Fetches the members from the source again and sends who joined and left into the same audience there.</summary>
    private async Task SyncNowAsync(string adtech) => await QueueAsync(user => Resync.QueueSyncAsync(CurrentName, adtech, user));

    private async Task QueueAsync(Func<System.Security.Claims.ClaimsPrincipal, Task<JobRecord>> queue)
    {
        try
        {
            _activeJob = await queue((await AuthState).User);
            Snackbar.Add($"Queued job {_activeJob.Id}: {_activeJob.Title}", Severity.Info);
        }
        catch (UnauthorizedAccessException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }

    private async Task OnJobChangesAsync(IReadOnlyList<JobChange> changes)
    {
        if (_activeJob is not { } job || !changes.Any(c => c.JobId == job.Id))
        {
            return;
        }

        _activeJob = await Jobs.GetAsync(job.Id) ?? job;
        if (_activeJob.IsFinished)
        {
            await ReloadFromBucketAsync(force: false);
            Snackbar.Add(_activeJob.Status == JobStatus.Succeeded ? $"{_activeJob.Title}: done." : $"{_activeJob.Title}: {_activeJob.Status.ToString().ToLowerInvariant()}. {_activeJob.Error}",
                _activeJob.Status == JobStatus.Succeeded ? Severity.Success : Severity.Error);
        }

        StateHasChanged();
    }

    private async Task RevealAsync(StateIssue issue)
    {
        if (_code is not null)
        {
            await _code.RevealAsync(issue.Line, issue.Column);
        }
    }

    private async Task ConfirmLeaveAsync(LocationChangingContext context)
    {
        if (!Dirty || _saving)
        {
            return;
        }

        var leave = await Dialogs.ShowMessageBoxAsync("Discard unsaved changes?", $"Your changes to {CurrentName} are not saved.",
            yesText: "Discard", cancelText: "Stay");
        if (leave != true)
        {
            context.PreventNavigation();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _updates?.Dispose();
        Validation.Dispose();
        try
        {
            // The prerendered copy never registered a listener (and cannot call JavaScript).
            if (RendererInfo.IsInteractive)
            {
                await JS.InvokeVoidAsync("portal.offSave", "audience-editor");
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; so is the listener.
        }

        _self?.Dispose();
    }
}
