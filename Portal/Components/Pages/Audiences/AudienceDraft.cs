using System.Text.RegularExpressions;
using Portal.Core.Audiences;

namespace Portal.Components.Pages.Audiences;

/// <summary>
/// What the audience editor holds, without the page: the text as opened and as edited, whether it differs, the
/// audience's name (the route's, or a new file's top-level key), and a refused save's conflict with its diff. The page
/// renders it and calls the services; the rules of what changes when live here, testable without a renderer.
/// </summary>
public sealed partial class AudienceDraft
{
    /// <summary>The audience's name for a route (null: a new audience).</summary>
    public AudienceDraft(string? routeName) => RouteName = routeName;

    public string? RouteName { get; }

    public bool IsNew => RouteName is null;

    /// <summary>The state file as last read or saved (null for a new audience until its first save).</summary>
    public AudienceDocument? Opened { get; private set; }

    /// <summary>The text the code editor started from.</summary>
    public string InitialText { get; private set; } = "";

    /// <summary>The text as edited now.</summary>
    public string Text { get; private set; } = "";

    /// <summary>A save refused because someone saved first (or the name is taken), and their text against ours.</summary>
    public SaveResult? Conflict { get; private set; }

    public TextDiff? ConflictDiff { get; private set; }

    public bool Dirty => Opened is null ? Text != InitialText : Text != Opened.Text;

    /// <summary>The route's name for an existing audience; a new one's top-level key, or <c>new_audience</c> before it has one.</summary>
    public string CurrentName => !IsNew ? RouteName! : TopKey().Match(Text) is { Success: true } m ? m.Groups["key"].Value.Trim() : "new_audience";

    /// <summary>A new audience starts from the template.</summary>
    public void StartNew() => Reset(null, AudienceEditor.Template("new_audience"));

    /// <summary>The state file as opened: the text is its text, nothing is unsaved.</summary>
    public void Open(AudienceDocument document) => Reset(document, document.Text);

    /// <summary>The state file read again (after a run or a restore wrote it); the caller keeps unsaved edits instead when <see cref="Dirty"/>.</summary>
    public void Reload(AudienceDocument document)
    {
        Opened = document;
        Text = document.Text;
    }

    /// <summary>A keystroke or a form edit.</summary>
    public void Edit(string text) => Text = text;

    /// <summary>A save went through: what was saved is now what is open.</summary>
    public void Saved(string name, string text, string version)
    {
        Opened = new AudienceDocument(name, text, version);
        if (IsNew)
        {
            InitialText = text;
        }

        ClearConflict();
    }

    /// <summary>A save was refused because of someone else's save: keep their text to compare and to choose from.</summary>
    public void Refused(SaveResult result, string mine)
    {
        Conflict = result;
        ConflictDiff = result.CurrentText is null ? null : TextDiff.Compare(result.CurrentText, mine);
    }

    /// <summary>"Discard mine, load theirs": their version becomes the open one and the text. False without a conflict to take from.</summary>
    public bool TakeTheirs()
    {
        if (Conflict is not { CurrentText: { } theirs, CurrentVersion: { } version })
        {
            return false;
        }

        Opened = new AudienceDocument(CurrentName, theirs, version);
        Text = theirs;
        ClearConflict();
        return true;
    }

    /// <summary>
    /// "Save mine over theirs": an ordinary save against their version (theirs goes to history like any replaced
    /// version), so their version becomes the one the save expects. False when there is nothing to save over.
    /// </summary>
    public bool SaveOverTheirs()
    {
        if (Conflict is not { CurrentText: { } theirs, CurrentVersion: { } version } || Opened is null)
        {
            return false;
        }

        Opened = new AudienceDocument(CurrentName, theirs, version);
        return true;
    }

    private void Reset(AudienceDocument? document, string text)
    {
        Opened = document;
        InitialText = text;
        Text = text;
        ClearConflict();
    }

    private void ClearConflict()
    {
        Conflict = null;
        ConflictDiff = null;
    }

    [GeneratedRegex(@"^(?<key>[^\s#:'""][^:#]*?)\s*:", RegexOptions.Multiline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TopKey();
}
