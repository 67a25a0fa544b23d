using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Portal.Core.Audiences;

/// <summary>One state file as the catalog found it: parsed (when it could be), its issues, and whether its member data exists.</summary>
public sealed record CatalogEntry(string Path, string Name, AudienceState? State, IReadOnlyList<StateIssue> Issues, bool HasMemberData, string Version)
{
    public bool IsValid => State is not null && Issues.Count == 0;
}

/// <summary>
/// The bucket's audiences, read one state file at a time (the seed's generator), so memory stays flat however many
/// there are. Invalid files are reported and skipped by runs, never rewritten. Two files whose names differ only in
/// case are duplicates: the second is reported. A file over the size limit is reported without being read; a file that
/// names no country gets the configured default.
/// </summary>
public sealed class AudienceCatalog(IBucket bucket, YamlLimits? limits = null, IOptions<AudienceOptions>? options = null)
{
    private readonly YamlLimits _limits = limits ?? YamlLimits.Default;

    public const string StateFolder = "state";
    public const string DataFolder = "data";

    public static string StatePath(string name) => $"{StateFolder}/{name}.yml";

    public static string DataPath(string name) => $"{DataFolder}/{name}.parquet.gz";

    public async IAsyncEnumerable<CatalogEntry> ScanAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        await foreach (var item in bucket.ListAsync(StateFolder, cancellationToken))
        {
            if (!IsStateFile(item.Path))
            {
                continue;
            }

            yield return await ReadAsync(item.Path, seen, cancellationToken);
        }
    }

    public async Task<CatalogEntry?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        await bucket.ExistsAsync(StatePath(name), cancellationToken) ? await ReadAsync(StatePath(name), null, cancellationToken) : null;

    /// <summary>One state file by its path, as a scan reads it (without the scan's check for duplicate names).</summary>
    public Task<CatalogEntry> ReadFileAsync(string path, CancellationToken cancellationToken = default) => ReadAsync(path, null, cancellationToken);

    /// <summary>Whether a listed object is a state file (<c>.yml</c> or <c>.yaml</c>).</summary>
    public static bool IsStateFile(string path) =>
        path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase);

    private async Task<CatalogEntry> ReadAsync(string path, Dictionary<string, string>? seen, CancellationToken cancellationToken)
    {
        var (result, version) = await ReadStateAsync(path, cancellationToken);
        var name = result.State?.Name ?? AudienceStateParser.NameFromFile(path);
        var issues = result.Issues.ToList();
        if (seen is not null)
        {
            if (seen.TryGetValue(name, out var first))
            {
                issues.Add(DuplicateIssue(path, name, first));
            }
            else
            {
                seen[name] = Path.GetFileName(path);
            }
        }

        var hasData = await bucket.ExistsAsync(DataPath(name), cancellationToken);
        return new CatalogEntry(path, name, result.State, issues, hasData, version);
    }

    private async Task<(StateParseResult Result, string Version)> ReadStateAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var text = await bucket.ReadTextAsync(path, _limits.MaxFileBytes, cancellationToken) ?? throw new FileNotFoundException(path);
            return (AudienceStateParser.Parse(path, text.Text, options?.Value.DefaultCountry, _limits), text.Version);
        }
        catch (BucketObjectTooLargeException ex)
        {
            return (new StateParseResult(null, [TooLarge(path, ex)]), "");
        }
    }

    /// <summary>How the issue of a duplicate name begins.</summary>
    public const string DuplicatePrefix = "Duplicate audience name: ";

    /// <summary>The issue of a state file whose audience name another file (<paramref name="firstFile"/>) already has, ignoring case.</summary>
    public static StateIssue DuplicateIssue(string path, string name, string firstFile) =>
        new(Path.GetFileName(path), 1, 1, name, $"{DuplicatePrefix}'{name}' is also defined by {firstFile} (names must be unique, ignoring case).");

    /// <summary>The issue for a state file refused unread: it is reported at its start, since no line of it was read.</summary>
    public static StateIssue TooLarge(string path, BucketObjectTooLargeException ex) =>
        new(Path.GetFileName(path), 1, 1, "(file)",
            $"The file is {ex.Size:N0} bytes; a state file may be at most {ex.MaxBytes:N0} bytes (Bucket:MaxStateFileBytes), so it was not read.");
}
