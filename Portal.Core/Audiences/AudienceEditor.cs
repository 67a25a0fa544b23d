using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Jobs;

namespace Portal.Core.Audiences;

/// <summary>The text of a state file and the version it was read at.</summary>
public sealed record AudienceDocument(string Name, string Text, string Version);

/// <summary>One earlier version of a state file, kept in the bucket under <c>history/&lt;name&gt;/</c>.</summary>
public sealed record AudienceRevision(string Path, DateTime SavedAt, string SavedBy);

public enum SaveOutcome
{
    Saved,
    Invalid,
    Conflict,
}

/// <summary>
/// What a save did: saved (with the new version), refused as invalid (with every issue), or refused because someone
/// else saved first (with their text, to show a diff). A refused save writes nothing.
/// </summary>
public sealed record SaveResult(SaveOutcome Outcome, string? Version, IReadOnlyList<StateIssue> Issues, string? CurrentText, string? CurrentVersion);

/// <summary>
/// Reads and saves audience state files for the editor: validation first, optimistic concurrency, the replaced
/// version kept in history, and an audit entry for every save and revert.
/// </summary>
public sealed class AudienceEditor(IBucket bucket, AuditLog audit, TimeProvider clock, AudienceSyncSchedules? syncSchedules = null, JobSchedules? schedules = null,
    YamlLimits? limits = null, IOptions<AudienceOptions>? options = null, AudienceIndex? index = null)
{
    private readonly YamlLimits _limits = limits ?? YamlLimits.Default;

    public const string HistoryFolder = "history";

    /// <summary>The text a new audience starts from: an HTTP source and one AdtechA block, valid as it is.</summary>
    public static string Template(string name) =>
        $"""
        {name}:
          description: Describe who is in this audience
          source:
            endpoint: demo-endpoint/
            params:
              demo: true
          adtechA:
            name: {name}
            audience_type: {AdtechKeys.AdtechAAudienceTypes[0]}
        """;

    /// <summary>
    /// Checks <paramref name="text"/> as <paramref name="name"/>'s state file, as runs read it: within the configured limits,
    /// a file without a country gets the configured default, and a sync schedule may not run more often than schedules may.
    /// </summary>
    public StateParseResult Parse(string name, string text) =>
        AudienceStateParser.Parse(name + ".yml", text, options?.Value.DefaultCountry, _limits, schedules?.MinInterval);

    /// <summary>True when <paramref name="name"/> can name an audience (and so a file in the bucket).</summary>
    public static bool IsSafeName(string name) => AudienceStateParser.SafeName().IsMatch(name);

    /// <summary>The state file's text; BucketObjectTooLargeException, unread, when it is over the size limit.</summary>
    public async Task<AudienceDocument?> OpenAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireSafe(name);
        var text = await bucket.ReadTextAsync(AudienceCatalog.StatePath(name), _limits.MaxFileBytes, cancellationToken);
        return text is null ? null : new AudienceDocument(name, text.Text, text.Version);
    }

    /// <summary>
    /// Saves <paramref name="text"/> as <paramref name="name"/>'s state. <paramref name="expectedVersion"/> is the version
    /// the editor opened (null for a new audience, which must not exist yet).
    /// </summary>
    public async Task<SaveResult> SaveAsync(string name, string text, string? expectedVersion, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("edit audiences");
        RequireSafe(name);
        var parsed = Parse(name, text);
        if (!parsed.IsValid)
        {
            return new SaveResult(SaveOutcome.Invalid, null, parsed.Issues, null, null);
        }

        var result = expectedVersion is null
            ? await CreateAsync(name, text, actor, cancellationToken)
            : await ReplaceAsync(name, text, expectedVersion, actor, cancellationToken);
        if (result.Outcome == SaveOutcome.Saved && index is not null)
        {
            await index.RefreshAsync(name, CancellationToken.None);
        }

        if (result.Outcome == SaveOutcome.Saved && syncSchedules is not null)
        {
            await syncSchedules.ApplyAsync(name, parsed.State, user, cancellationToken);
        }

        return result;
    }

    /// <summary>Writes a new version over <paramref name="expectedVersion"/>, keeping the one it replaces in history.</summary>
    private async Task<SaveResult> ReplaceAsync(string name, string text, string expectedVersion, string actor, CancellationToken cancellationToken)
    {

        var path = AudienceCatalog.StatePath(name);
        var current = await bucket.ReadTextAsync(path, _limits.MaxFileBytes, cancellationToken);
        if (current is not null && current.Version != expectedVersion)
        {
            return new SaveResult(SaveOutcome.Conflict, null, [], current.Text, current.Version);
        }

        if (current is not null)
        {
            if (current.Text == text)
            {
                return new SaveResult(SaveOutcome.Saved, current.Version, [], null, null);
            }

            await KeepAsync(name, current.Text, actor, cancellationToken);
        }

        try
        {
            var version = await bucket.WriteTextAsync(path, text, current?.Version ?? expectedVersion, cancellationToken);
            await audit.WriteAsync(actor, "audience.saved", $"audience:{name}", $"version {version[..12]}", cancellationToken);
            return new SaveResult(SaveOutcome.Saved, version, [], null, null);
        }
        catch (BucketConflictException)
        {
            var now = await bucket.ReadTextAsync(path, _limits.MaxFileBytes, cancellationToken);
            return new SaveResult(SaveOutcome.Conflict, null, [], now?.Text, now?.Version);
        }
    }

    /// <summary>
    /// Creates a new audience's state file only if no audience has the name (ignoring case, as the catalog compares
    /// names): the bucket's create-if-absent, so of two people creating the same name at once one wins and the other
    /// is told the name exists, with the text that won; nothing is ever overwritten.
    /// </summary>
    private async Task<SaveResult> CreateAsync(string name, string text, string actor, CancellationToken cancellationToken)
    {
        var taken = await TakenAsync(name, cancellationToken);
        var version = taken is null ? await bucket.CreateTextAsync(AudienceCatalog.StatePath(name), text, cancellationToken) : null;
        if (version is null)
        {
            var path = taken ?? AudienceCatalog.StatePath(name);
            var existing = AudienceStateParser.NameFromFile(path);
            var current = await bucket.ReadTextAsync(path, _limits.MaxFileBytes, cancellationToken);
            var message = existing == name
                ? $"An audience named '{name}' already exists; open it to change it, or choose another name."
                : $"An audience named '{existing}' already exists (names must be unique, ignoring case); choose another name.";
            return new SaveResult(SaveOutcome.Conflict, null, [new StateIssue(name + ".yml", 1, 1, name, message)], current?.Text, current?.Version);
        }

        await audit.WriteAsync(actor, "audience.created", $"audience:{name}", $"version {version[..12]}", cancellationToken);
        return new SaveResult(SaveOutcome.Saved, version, [], null, null);
    }

    /// <summary>The state file of an audience with this name, ignoring case, or null.</summary>
    private async Task<string?> TakenAsync(string name, CancellationToken cancellationToken)
    {
        await foreach (var item in bucket.ListAsync(AudienceCatalog.StateFolder, cancellationToken))
        {
            if ((item.Path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || item.Path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
                && string.Equals(AudienceStateParser.NameFromFile(item.Path), name, StringComparison.OrdinalIgnoreCase))
            {
                return item.Path;
            }
        }

        return null;
    }

    /// <summary>Earlier versions, newest first.</summary>
    public async Task<IReadOnlyList<AudienceRevision>> HistoryAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireSafe(name);
        var revisions = new List<AudienceRevision>();
        await foreach (var item in bucket.ListAsync($"{HistoryFolder}/{name}", cancellationToken))
        {
            // history/<name>/<yyyyMMddTHHmmssfff>_<actor>.yml
            var file = Path.GetFileNameWithoutExtension(item.Path);
            var split = file.IndexOf('_', StringComparison.Ordinal);
            if (split > 0 && DateTime.TryParseExact(file[..split], "yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
            {
                revisions.Add(new AudienceRevision(item.Path, at, Uri.UnescapeDataString(file[(split + 1)..].Replace("~", "%", StringComparison.Ordinal))));
            }
        }

        return revisions.OrderByDescending(r => r.SavedAt).ToList();
    }

    public async Task<string?> RevisionTextAsync(AudienceRevision revision, CancellationToken cancellationToken = default) =>
        (await bucket.ReadTextAsync(revision.Path, _limits.MaxFileBytes, cancellationToken))?.Text;

    /// <summary>Makes an earlier version current again (itself a save: validated, versioned, audited).</summary>
    public async Task<SaveResult> RevertAsync(string name, AudienceRevision revision, string expectedVersion, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var text = await RevisionTextAsync(revision, cancellationToken) ?? throw new FileNotFoundException(revision.Path);
        var result = await SaveAsync(name, text, expectedVersion, user, cancellationToken);
        if (result.Outcome == SaveOutcome.Saved)
        {
            await audit.WriteAsync(user.Identity?.Name ?? "unknown", "audience.reverted", $"audience:{name}", revision.SavedAt.ToString("o", CultureInfo.InvariantCulture), cancellationToken);
        }

        return result;
    }

    private async Task KeepAsync(string name, string text, string actor, CancellationToken cancellationToken)
    {
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture);
        var who = Uri.EscapeDataString(actor).Replace("%", "~", StringComparison.Ordinal);
        await bucket.WriteTextAsync($"{HistoryFolder}/{name}/{stamp}_{who}.yml", text, null, cancellationToken);
    }

    private static void RequireSafe(string name)
    {
        if (!AudienceStateParser.SafeName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a safe audience name.", nameof(name));
        }
    }
}
