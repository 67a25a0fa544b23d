using System.Security.Claims;
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
    private CodeEditor? _code;
    private ElementReference _splitter;
    private DotNetObjectReference<AudienceEditorPage>? _self;
    private JobUpdates? _updates;

    private string? _loadedFor;
    private AudienceDraft _draft = new(null);
    private bool _loading = true;
    private bool _notFound;
    private string? _unreadable;
    private bool _saving;
    private bool _canEdit;
    private bool _canRun;

    private StateParseResult _parse = new(null, []);
    private IReadOnlyList<EditorMarker> _markers = [];
    private AudienceOverview? _overview;
    private JobRecord? _activeJob;
    private IReadOnlyDictionary<string, Portal.Core.Adtech.ExportRun>? _latestRuns;

    [Inject]
    private Portal.Core.Adtech.ExportRunQueries Runs { get; set; } = default!;

    [Parameter]
    public string? Name { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    private bool Dirty => !_loading && _draft.Dirty;

    private string CurrentName => _draft.CurrentName;

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
        _draft = new AudienceDraft(Name);
        if (_draft.IsNew)
        {
            _overview = null;
            _draft.StartNew();
            await CheckAsync();
        }
        else if (!AudienceEditor.IsSafeName(Name!) || await OpenAsync(Name!) is not { } document)
        {
            _notFound = true;
        }
        else
        {
            _draft.Open(document);
            await CheckAsync();
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

    /// <summary>Checks the draft's text now, off the render thread (after it was opened, reloaded or changed whole).</summary>
    private async Task CheckAsync()
    {
        var text = _draft.Text;
        Show(text, await Validation.CheckAsync(CurrentName, text));
    }

    /// <summary>Takes a whole new text (from the form, theirs, the bucket) into the draft and the code editor, checked.</summary>
    private async Task ReplaceTextAsync(string text)
    {
        _draft.Edit(text);
        await CheckAsync();
        if (_code is not null)
        {
            await _code.SetTextAsync(text);
        }
    }

    private void Show(string text, StateParseResult result)
    {
        if (text == _draft.Text)
        {
            _parse = result;
            _markers = LiveValidation.Markers(text, result.Issues);
        }
    }

    /// <summary>A keystroke: checked once typing pauses. Only people who may edit get a check (the editor is read-only for others).</summary>
    private Task OnTextChangedAsync(string text)
    {
        if (_canEdit && text != _draft.Text)
        {
            _draft.Edit(text);
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
        var fresh = _canEdit ? await Validation.CheckAsync(CurrentName, _draft.Text) : null;
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

        await ReplaceTextAsync(fresh.State.ToYaml());
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
        _draft.Edit(_code is not null ? await _code.GetTextAsync() : _draft.Text);
        await CheckAsync();

        if (!_parse.IsValid)
        {
            Snackbar.Add($"Not saved: {_parse.Issues.Count} problem(s) in the YAML, the first at line {_parse.Issues[0].Line}, column {_parse.Issues[0].Column}.", Severity.Error);
            return;
        }

        _saving = true;
        try
        {
            var name = CurrentName;
            var text = _draft.Text;
            var result = await Editor.SaveAsync(name, text, _draft.Opened?.Version, (await AuthState).User);
            switch (result.Outcome)
            {
                case SaveOutcome.Saved:
                    _draft.Saved(name, text, result.Version!);
                    Snackbar.Add($"Saved {name}.", Severity.Success);
                    if (_draft.IsNew)
                    {
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
                    _draft.Refused(result, text);
                    Snackbar.Add(_draft.IsNew ? $"Not saved: '{name}' already exists." : "Not saved: someone else saved this audience first.", Severity.Error);
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
        if (_draft.TakeTheirs())
        {
            await ReplaceTextAsync(_draft.Text);
            _overview = await Queries.GetAsync(CurrentName);
        }
    }

    private async Task OverwriteAsync()
    {
        if (_draft.SaveOverTheirs())
        {
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
        if (_draft.IsNew || await OpenAsync(CurrentName) is not { } document)
        {
            return;
        }

        _overview = await Queries.GetAsync(CurrentName);
        _latestRuns = await Runs.LatestByAdtechAsync(CurrentName);
        if (Dirty && !force)
        {
            if (document.Version != _draft.Opened?.Version)
            {
                Snackbar.Add("The state file changed on disk while you have unsaved edits; saving will show both versions.", Severity.Warning);
            }

            return;
        }

        _draft.Reload(document);
        await ReplaceTextAsync(document.Text);
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
