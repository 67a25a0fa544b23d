using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Components.Pages.Rules;

/// <summary>The rule editor: the condition builder, the rule's fields, undo, save with the reuse offer, trigger, duplicate and delete.</summary>
public partial class RuleEditorPage
{
    private ElementReference _splitter;
    private DotNetObjectReference<RuleEditorPage>? _self;
    private long? _loadedFor = -1;
    private bool _loading = true;
    private bool _notFound;
    private bool _saving;
    private bool _canEdit;

    private RuleDraft _draft = RuleDraft.Empty("");
    private RuleDraft? _saved;
    private int? _version;
    private long? _segmentId;
    private readonly Stack<RuleDraft> _undo = new();
    private IReadOnlyList<RuleIssue> _issues = [];
    private IReadOnlyList<string> _categories = [];
    private IReadOnlyList<string> _merchants = [];
    private IReadOnlyList<string> _cities = [];
    private IReadOnlyList<SegmentChoice> _segments = [];
    private IReadOnlyList<(long Id, string Name)> _rules = [];
    private IReadOnlyDictionary<string, long> _blockCounts = new Dictionary<string, long>();
    // A new rule whose conditions contain a saved segment's: the plan offered at save time (null: none shown).
    private Portal.Core.Segments.ReuseSuggestion? _reuseOffer;

    [Parameter]
    public long? Id { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    private GroupCondition Root => _draft.Root as GroupCondition ?? new GroupCondition("root", false, GroupLogic.And, [_draft.Root]);

    private bool Dirty => !_loading && (_saved is null ? _undo.Count > 0 : !Same(_draft, _saved));

    protected override async Task OnInitializedAsync() => _canEdit = (await AuthState).User.IsOperator();

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedFor == (Id ?? 0))
        {
            return;
        }

        _loadedFor = Id ?? 0;
        _loading = true;
        _undo.Clear();
        _categories = await Vocabulary.CategoriesAsync();
        _merchants = await Vocabulary.MerchantsAsync();
        _cities = await Vocabulary.CitiesAsync();
        _segments = await Vocabulary.SegmentsAsync(Id);
        _rules = await Vocabulary.RulesAsync(Id);
        if (Id is { } id)
        {
            var rule = await Rules.FindAsync(id);
            _notFound = rule is null;
            if (rule is not null)
            {
                _draft = RuleService.ToDraft(rule);
                _saved = _draft;
                _version = rule.Version;
                _segmentId = await Segments.IdOfRuleAsync(id);
            }
        }
        else
        {
            _draft = RuleDraft.Empty("") with { Root = new GroupCondition("root", false, GroupLogic.And, []) };
            _saved = null;
            _version = null;
            _segmentId = null;
        }

        _issues = Id is null ? [] : RuleValidator.Validate(_draft);
        _loading = false;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _self = DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("portal.listen", "rule-editor-save", "portal:save", _self, nameof(OnSaveShortcut));
            await JS.InvokeVoidAsync("portal.listen", "rule-editor-undo", "portal:undo", _self, nameof(OnUndoShortcut));
        }

        if (!_loading)
        {
            await JS.InvokeVoidAsync("portal.splitter", _splitter);
        }
    }

    private Task ChangeAsync(RuleDraft next)
    {
        _reuseOffer = null; // made for the draft before this change
        _undo.Push(_draft);
        _draft = next;
        _issues = RuleValidator.Validate(_draft);
        return Task.CompletedTask;
    }

    private Task UndoAsync()
    {
        if (_undo.TryPop(out var previous))
        {
            _draft = previous;
            _issues = RuleValidator.Validate(_draft);
        }

        return Task.CompletedTask;
    }

    [JSInvokable]
    public Task OnSaveShortcut() => InvokeAsync(async () =>
    {
        await SaveAsync();
        StateHasChanged();
    });

    [JSInvokable]
    public Task OnUndoShortcut() => InvokeAsync(async () =>
    {
        await UndoAsync();
        StateHasChanged();
    });

    private Task SaveAsync() => SaveAsync(offerReuse: true);

    private async Task ApplyOfferAndSaveAsync()
    {
        if (_reuseOffer is { } offer)
        {
            await ChangeAsync(Portal.Core.Segments.DependencyFinder.Apply(_draft, offer));
        }

        await SaveAsync(offerReuse: false);
    }

    private Task SaveAsItIsAsync()
    {
        _reuseOffer = null;
        return SaveAsync(offerReuse: false);
    }

    /// <summary>
    /// Saves the draft. A new, valid rule whose conditions contain a saved segment's (and that does not reuse one
    /// already) is not saved at once: the best plan is offered first, to apply or to decline.
    /// </summary>
    private async Task SaveAsync(bool offerReuse)
    {
        if (_saving || !_canEdit)
        {
            return;
        }

        _saving = true;
        try
        {
            if (offerReuse && Id is null && RuleValidator.Validate(_draft).Count == 0 && await Finder.FindAsync(_draft) is [var best, ..])
            {
                _reuseOffer = best;
                return;
            }

            _reuseOffer = null;
            var result = await Rules.SaveAsync(Id, _draft, _version, (await AuthState).User);
            _issues = result.Issues;
            if (!result.Saved)
            {
                Snackbar.Add(result.Conflict ? result.Issues[0].Message : $"Not saved: {result.Issues.Count} problem(s), the first: {result.Issues[0]}", Severity.Error);
                return;
            }

            _saved = _draft;
            _version = result.Rule!.Version;
            Snackbar.Add($"Saved {result.Rule.Name}.", Severity.Success);
            if (Id is null)
            {
                Navigation.NavigateTo($"rules/{result.Rule.Id}");
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

    private async Task TriggerAsync()
    {
        try
        {
            var job = await Queue.EnqueueRefreshAsync(Id!.Value, _draft.Name, (await AuthState).User);
            Snackbar.Add($"Queued job {job.Id}: {job.Title}", Severity.Info);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }

    private async Task DuplicateAsync()
    {
        var copy = await Rules.DuplicateAsync(Id!.Value, (await AuthState).User);
        Snackbar.Add($"Created {copy.Name}.", Severity.Success);
        Navigation.NavigateTo($"rules/{copy.Id}");
    }

    private async Task DeleteAsync()
    {
        var used = await Rules.WhereUsedAsync(Id!.Value);
        if (used.IsUsed)
        {
            await Dialogs.ShowMessageBoxAsync("This segment is in use", "Remove these uses first: " +
                string.Join(", ", used.Rules.Select(r => $"rule {r.Name}").Concat(used.Audiences.Select(a => $"audience {a}"))) + ".");
            return;
        }

        if (await Dialogs.ShowMessageBoxAsync("Delete this rule?", $"'{_draft.Name}' and its segment's members are deleted.", yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }

        await Rules.DeleteAsync(Id!.Value, (await AuthState).User);
        _saved = _draft;
        _undo.Clear();
        Snackbar.Add($"Deleted {_draft.Name}.", Severity.Success);
        Navigation.NavigateTo("rules");
    }

    private async Task ConfirmLeaveAsync(LocationChangingContext context)
    {
        if (!Dirty || _saving)
        {
            return;
        }

        if (await Dialogs.ShowMessageBoxAsync("Discard unsaved changes?", "Your changes to this rule are not saved.", yesText: "Discard", cancelText: "Stay") != true)
        {
            context.PreventNavigation();
        }
    }

    private bool NameHasIssue => _issues.Any(i => i.NodeId is null && i.Field == "name");

    private static DateTime? Utc(DateTime? d) => d is { } v ? DateTime.SpecifyKind(v.Date, DateTimeKind.Utc) : null;

    private static DateTime? EndOfDay(DateTime? d) => d is { } v ? DateTime.SpecifyKind(v.Date.AddDays(1).AddSeconds(-1), DateTimeKind.Utc) : null;

    private static bool Same(RuleDraft a, RuleDraft b) =>
        a.Name == b.Name && a.Description == b.Description && a.Root.Equals(b.Root) && a.Schedule == b.Schedule && a.StartDate == b.StartDate
        && a.EndDate == b.EndDate && a.DependsOn.SequenceEqual(b.DependsOn) && a.Operation == b.Operation;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The prerendered copy never registered the listeners (and cannot call JavaScript).
            if (RendererInfo.IsInteractive)
            {
                await JS.InvokeVoidAsync("portal.unlisten", "rule-editor-save");
                await JS.InvokeVoidAsync("portal.unlisten", "rule-editor-undo");
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; so are the listeners.
        }

        _self?.Dispose();
    }
}
