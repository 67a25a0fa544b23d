using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Portal.Core.Jobs;

/// <summary>
/// How people may start a kind of job from outside (<c>POST /api/jobs</c>, the Jobs page, a schedule they add): the
/// payload the kind takes, if any, as a typed record with its own check. A kind registered without a rule is internal:
/// only the code that owns it queues it (<see cref="JobQueue.EnqueueAsync"/>), because its payload carries things no
/// person should choose (bucket paths, ids of rows other code owns).
/// </summary>
public sealed class JobStartRule
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private readonly Func<JsonElement, (string Field, string Message)?>? _check;

    private JobStartRule(Type? payloadType, string? payloadDescription, Func<JsonElement, (string Field, string Message)?>? check)
    {
        PayloadType = payloadType;
        PayloadDescription = payloadDescription;
        _check = check;
    }

    /// <summary>The kind takes no payload; one given is refused.</summary>
    public static JobStartRule WithoutPayload { get; } = new(null, null, null);

    /// <summary>
    /// The kind takes an optional JSON object read as <typeparamref name="T"/> (members it does not have are refused) and
    /// then checked by <paramref name="check"/>: null when fine, else the payload field at fault and why.
    /// </summary>
    public static JobStartRule WithPayload<T>(string description, Func<T, (string Field, string Message)?> check) where T : class =>
        new(typeof(T), description, element =>
        {
            var names = Strict.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name).ToList();
            foreach (var property in element.EnumerateObject())
            {
                if (!names.Contains(property.Name, StringComparer.Ordinal))
                {
                    return ($"payload.{Shortened(property.Name)}", $"The payload has no field '{Shortened(property.Name)}'; it takes {string.Join(", ", names)}.");
                }
            }

            try
            {
                return element.Deserialize<T>(Strict) is { } payload ? check(payload) : ("payload", "Give a JSON object as the payload.");
            }
            catch (JsonException ex)
            {
                var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? "payload." + path[2..] : "payload";
                return (field, $"The payload's {field} has the wrong type: {description}");
            }
        });

    /// <summary>The record the payload is read as; null when the kind takes none.</summary>
    public Type? PayloadType { get; }

    /// <summary>What the payload may hold, for people and the API document; null when the kind takes none.</summary>
    public string? PayloadDescription { get; }

    public bool TakesPayload => _check is not null;

    /// <summary>The payload to store (null for none, else the object as given), after its checks.</summary>
    /// <exception cref="JobStartException">A payload where none is taken, not a JSON object, or refused by the kind's check.</exception>
    public string? Check(string kind, string? payload)
    {
        if (string.IsNullOrWhiteSpace(payload))
        {
            return null;
        }

        if (_check is null)
        {
            throw new JobStartException("payload", $"The job '{kind}' takes no payload.");
        }

        JsonElement element;
        try
        {
            using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 4 });
            element = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new JobStartException("payload", $"The payload is not JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {PayloadDescription}");
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JobStartException("payload", $"The payload must be a JSON object: {PayloadDescription}");
        }

        if (_check(element) is { } problem)
        {
            throw new JobStartException(problem.Field, problem.Message);
        }

        return element.GetRawText();
    }

    private static string Shortened(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
