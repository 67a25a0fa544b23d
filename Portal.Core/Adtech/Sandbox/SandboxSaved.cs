using System.Globalization;
using System.Text.Json;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// What a sandbox must not forget when the portal restarts, as a real adtech does not: its audiences and user lists
/// (ids, names, members) and the ids it gave, so that a sync after a restart finds the audience it synced before and a
/// new audience never gets an id given already. Not kept: upload sessions, jobs, the quota, queued faults, calls seen.
/// Row keys are written as 32 hex digits.
/// </summary>
public sealed record SandboxSaved(
    int NextId,
    Dictionary<string, int> AudienceMembers,
    Dictionary<string, string> AudienceNames,
    Dictionary<string, string> UserListNames,
    Dictionary<string, List<string>> Rows,
    List<string> KnownRows,
    SandboxSaved.DataManagerLists DataManager)
{
    /// <summary>Where the portal keeps its own sandbox's state in the bucket.</summary>
    public const string BucketPath = "sandbox/state.json";

    /// <summary>The Data Manager API's user lists: members with the time each was last added, names, ids given.</summary>
    public sealed record DataManagerLists(int NextId, int Creates, Dictionary<string, Dictionary<string, DateTimeOffset>> Lists, Dictionary<string, string> Names);

    public static string Hex(UInt128 row) => row.ToString("X32", CultureInfo.InvariantCulture);

    public static UInt128 Row(string hex) => UInt128.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="state"/> to the bucket (replacing what was there).</summary>
    public static Task WriteAsync(IBucket bucket, SandboxState state, CancellationToken cancellationToken) =>
        bucket.WriteAsync(BucketPath, (stream, ct) => JsonSerializer.SerializeAsync(stream, state.Save(), cancellationToken: ct), cancellationToken);

    /// <summary>Restores into <paramref name="state"/> what the bucket holds; false when it holds nothing.</summary>
    /// <exception cref="JsonException">The file is not a saved sandbox state.</exception>
    public static async Task<bool> ReadAsync(IBucket bucket, SandboxState state, CancellationToken cancellationToken)
    {
        if (!await bucket.ExistsAsync(BucketPath, cancellationToken))
        {
            return false;
        }

        await using var stream = await bucket.OpenReadAsync(BucketPath, cancellationToken);
        state.Restore(await JsonSerializer.DeserializeAsync<SandboxSaved>(stream, cancellationToken: cancellationToken)
            ?? throw new JsonException($"{BucketPath} holds null"));
        return true;
    }
}
