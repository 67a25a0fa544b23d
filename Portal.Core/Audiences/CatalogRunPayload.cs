using System.Text.Json.Serialization;
using Portal.Core.Jobs;

namespace Portal.Core.Audiences;

/// <summary>
/// What a person may ask of a catalog run they start (<see cref="CatalogRunJob"/>): one audience instead of all, one
/// adtech instead of every one. Both optional.
/// </summary>
public sealed record CatalogRunPayload(
    [property: JsonPropertyName("audience")] string? Audience = null,
    [property: JsonPropertyName("adtech")] string? Adtech = null)
{
    public const string Description = "{\"audience\": \"<audience name>\", \"adtech\": \"adtechA|adtechB|meta|googleAds\"}, both optional";

    /// <summary>How people may start a catalog run: with this payload, its names checked.</summary>
    public static JobStartRule StartRule { get; } = JobStartRule.WithPayload<CatalogRunPayload>(Description, Check);

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

        return null;
    }
}
