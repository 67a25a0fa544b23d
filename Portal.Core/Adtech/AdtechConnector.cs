using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>What one upload did: the adtech's id, the response to record, and the counts.</summary>
public sealed record UploadOutcome(string? Id, LastResponse Response, long Sent, long InvalidValues, long EmptyMembers, TimeSpan Duration)
{
    public bool Succeeded => Id is not null && Response.Status is >= 200 and < 300;
}

/// <summary>
/// The connector SDK: normalizes and hashes members as the adtech asks, sends them in batches (the first batch
/// creates the audience and returns its id, later batches add to it), and reports a <c>last_response</c>.
/// A concrete connector gives its key, batch size, normalization, paths and payload shape.
/// </summary>
public abstract class AdtechConnector(AdtechHttp http, TimeProvider clock)
{
    public abstract string Key { get; }

    public abstract string DisplayName { get; }

    public abstract int BatchSize { get; }

    public virtual NormalizationOptions Normalization => NormalizationOptions.Default;

    protected abstract string CreatePath(AdtechConnection connection);

    protected abstract string AddPath(AdtechConnection connection, string id);

    /// <summary>The request body for one batch; <paramref name="create"/> for the first, which carries the audience's settings.</summary>
    public abstract JsonObject BuildPayload(AudienceState state, IReadOnlyList<HashedMember> batch, bool create);

    public async Task<UploadOutcome> UploadAsync(AudienceState state, AdtechConnection connection, IAsyncEnumerable<Member> members,
        IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var stats = new HashStats();
        var batch = new List<HashedMember>(BatchSize);
        string? id = null;
        long sent = 0;
        AdtechResponse? last = null;

        async Task<bool> SendAsync()
        {
            var create = id is null;
            var payload = BuildPayload(state, batch, create);
            last = await http.PostAsync(connection, create ? CreatePath(connection) : AddPath(connection, id!), payload, cancellationToken);
            if (!last.IsSuccess)
            {
                return false;
            }

            if (create)
            {
                id = last.Body?["id"]?.ToString();
                if (string.IsNullOrEmpty(id))
                {
                    last = last with { Status = 502, Message = "The adtech accepted the audience but returned no id" };
                    return false;
                }
            }

            sent += batch.Count;
            progress?.Report(sent);
            batch.Clear();
            return true;
        }

        await foreach (var member in members.WithCancellation(cancellationToken))
        {
            var hashed = stats.Hash(member, Normalization);
            if (hashed.IsEmpty)
            {
                continue;
            }

            batch.Add(hashed);
            if (batch.Count == BatchSize && !await SendAsync())
            {
                return Outcome(null, last!, sent, stats, watch);
            }
        }

        if ((batch.Count > 0 || id is null) && !await SendAsync())
        {
            return Outcome(null, last!, sent, stats, watch);
        }

        return Outcome(id, last!, sent, stats, watch);
    }

    private UploadOutcome Outcome(string? id, AdtechResponse response, long sent, HashStats stats, Stopwatch watch)
    {
        var date = clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var message = response.IsSuccess && id is not null
            ? $"Success: {sent:N0} members sent, {stats.Invalid:N0} invalid values dropped."
            : $"Failed: {response.Message} ({sent:N0} members sent before the failure).";
        return new UploadOutcome(id, new LastResponse(date, response.Status, message), sent, stats.Invalid, stats.EmptyMembers, watch.Elapsed);
    }

    protected static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}

/// <summary>AdtechA, as the seed describes it: an <c>audience_type</c> from its enum, bearer token, advertiser id in the URL.</summary>
public sealed class AdtechAConnector(AdtechHttp http, TimeProvider clock) : AdtechConnector(http, clock)
{
    public override string Key => AdtechKeys.AdtechA;
    public override string DisplayName => "AdtechA";
    public override int BatchSize => 5_000;

    protected override string CreatePath(AdtechConnection c) => $"adtech-a/v2/audiences?advertiserId={Uri.EscapeDataString(c.AccountId ?? "")}";

    protected override string AddPath(AdtechConnection c, string id) =>
        $"adtech-a/v2/audiences/{Uri.EscapeDataString(id)}/members?advertiserId={Uri.EscapeDataString(c.AccountId ?? "")}";

    public override JsonObject BuildPayload(AudienceState state, IReadOnlyList<HashedMember> batch, bool create)
    {
        var members = new JsonArray(batch.Select(m => (JsonNode?)new JsonObject
        {
            ["email"] = Strings(m.Emails),
            ["phone_number"] = Strings(m.Phones),
            ["zip_code"] = Strings(m.Zips),
        }).ToArray());
        return create
            ? new JsonObject
            {
                ["name"] = state.AdtechName(Key),
                ["description"] = state.Description,
                ["audience_type"] = state.AdtechSetting(Key, "audience_type")?.ToUpperInvariant(),
                ["members"] = members,
            }
            : new JsonObject { ["members"] = members };
    }
}

/// <summary>
/// AdtechB, as the seed describes it: <c>expiration</c> in days, members as a <c>schema</c> of columns and <c>data</c>
/// rows, and empty keys dropped from the payload (the seed's <c>_drop_empty_keys</c>, including its dropping of 0).
/// </summary>
public sealed class AdtechBConnector(AdtechHttp http, TimeProvider clock) : AdtechConnector(http, clock)
{
    public static readonly string[] Schema = ["EMAIL", "PHONE", "ZIP"];

    public override string Key => AdtechKeys.AdtechB;
    public override string DisplayName => "AdtechB";
    public override int BatchSize => 10_000;

    protected override string CreatePath(AdtechConnection c) => "adtech-b/audiences";

    protected override string AddPath(AdtechConnection c, string id) => $"adtech-b/audiences/{Uri.EscapeDataString(id)}/data";

    public override JsonObject BuildPayload(AudienceState state, IReadOnlyList<HashedMember> batch, bool create)
    {
        var payload = new JsonObject();
        if (create)
        {
            payload["name"] = state.AdtechName(Key);
            payload["description"] = state.Description;
            payload["expiration"] = int.TryParse(state.AdtechSetting(Key, "expiration_time"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var days) ? days : 1000;
        }

        payload["schema"] = Strings(Schema);
        payload["data"] = new JsonArray(batch.Select(m => (JsonNode?)new JsonArray(Strings(m.Emails), Strings(m.Phones), Strings(m.Zips))).ToArray());
        return DropEmptyKeys(payload);
    }

    /// <summary>The seed's rule: recurse into objects; filter falsy items out of lists; drop keys whose value is then falsy.</summary>
    public static JsonObject DropEmptyKeys(JsonObject source)
    {
        var result = new JsonObject();
        foreach (var (key, node) in source)
        {
            JsonNode? value = node switch
            {
                JsonObject obj => DropEmptyKeys(obj),
                JsonArray array => new JsonArray(array.Where(Truthy).Select(v => v!.DeepClone()).ToArray()),
                _ => node?.DeepClone(),
            };
            if (Truthy(value))
            {
                result[key] = value;
            }
        }

        return result;
    }

    private static bool Truthy(JsonNode? node) => node switch
    {
        null => false,
        JsonObject o => o.Count > 0,
        JsonArray a => a.Count > 0,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<double>(out var d) => d != 0,
        JsonValue v when v.TryGetValue<int>(out var i) => i != 0,
        JsonValue v when v.TryGetValue<long>(out var l) => l != 0,
        _ => true,
    };
}
