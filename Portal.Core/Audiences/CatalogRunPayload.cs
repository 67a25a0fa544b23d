using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Jobs;

namespace Portal.Core.Audiences;

/// <summary>
/// What a catalog run (<see cref="CatalogRunJob"/>) is asked to do, as its job payload: one audience instead of all,
/// one adtech instead of every one; <see cref="Sync"/> "changes" syncs the audience into the ids it has at the
/// adtechs (only who joined and left), "full" sends everyone again into them; <see cref="Fetch"/> fetches the members
/// from the audience's source again first (a scheduled sync, "Sync now"), instead of using the member data it has.
/// </summary>
public sealed record CatalogRunPayload(
    [property: JsonPropertyName("audience")] string? Audience = null,
    [property: JsonPropertyName("adtech")] string? Adtech = null,
    [property: JsonPropertyName("sync")] string? Sync = null,
    [property: JsonPropertyName("fetch")] bool? Fetch = null)
{
    public const string SyncChanges = "changes";
    public const string SyncFull = "full";

    public const string Description =
        "{\"audience\": \"<audience name>\", \"adtech\": \"adtechA|adtechB|meta|googleAds\", \"sync\": \"changes|full\", \"fetch\": true}, "
        + "all optional; sync and fetch need an audience";

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>How people may start a catalog run: with this payload, its names checked.</summary>
    public static JobStartRule StartRule { get; } = JobStartRule.WithPayload<CatalogRunPayload>(Description, Check);

    /// <summary>The payload as a job stores it (absent values left out).</summary>
    public string ToJson() => Audience is null && Adtech is null && Sync is null && Fetch is null ? "{}" : JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>A stored payload (empty: everything); JsonException when it is not one.</summary>
    public static CatalogRunPayload FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? new() : JsonSerializer.Deserialize<CatalogRunPayload>(json) ?? new();

    /// <summary>The scope a run with this payload covers, linked to its job.</summary>
    public CatalogRunScope ToScope(long? jobId) => new(Audience, Adtech, jobId, Sync is not null, Sync == SyncFull, Fetch == true);

    private static (string Field, string Message)? Check(CatalogRunPayload payload)
    {
        if (payload.Audience is { } audience && !AudienceStateParser.SafeName().IsMatch(audience))
        {
            return ("payload.audience", "The audience is not an audience name: letters, digits, '_' and '-' (at most 100), starting with a letter or digit.");
        }

        if (payload.Adtech is { } adtech && !AdtechKeys.All.Contains(adtech, StringComparer.Ordinal))
        {
            return ("payload.adtech", $"Unknown adtech; use one of {string.Join(", ", AdtechKeys.All)}.");
        }

        if (payload.Sync is { } sync && sync is not (SyncChanges or SyncFull))
        {
            return ("payload.sync", $"'sync' is \"{SyncChanges}\" (send who joined and left) or \"{SyncFull}\" (send everyone again).");
        }

        if ((payload.Sync is not null || payload.Fetch is not null) && payload.Audience is null)
        {
            return (payload.Sync is not null ? "payload.sync" : "payload.fetch", "A sync or a fetch is of one audience: name it in 'audience'.");
        }

        return null;
    }
}
