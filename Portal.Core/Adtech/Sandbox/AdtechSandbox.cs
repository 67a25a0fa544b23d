using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// A fault for the next request whose path contains a text (and, with <paramref name="KeyContains"/>, whose
/// Idempotency-Key, which the portal sends to label each step of an upload, contains another): answered with <paramref name="Status"/> (after <paramref name="Delay"/>) instead
/// of the real thing. Or, with <paramref name="PartialFailures"/>, processed with that many of its members rejected
/// (Google's <c>partialFailureError</c>, Meta's <c>num_invalid_entries</c>). Or, with <paramref name="AfterProcessing"/>,
/// processed for real and then answered only after <paramref name="Delay"/>: a response lost to the caller's timeout; or,
/// without a delay, its connection dropped: the answer lost on the way.
/// </summary>
/// <paramref name="Body"/>, when given, is the answer's JSON body instead of the sandbox's own message (an adtech's error shape).
public sealed record SandboxFault(string PathContains, int Status, int RetryAfterSeconds = 0, TimeSpan? Delay = null, int PartialFailures = 0,
    bool AfterProcessing = false, string? KeyContains = null, object? Body = null)
{
    /// <summary>Meta's throttling as the Graph API sends it: HTTP 400 with a rate-limit <c>error.code</c> and <c>is_transient</c>.</summary>
    public static SandboxFault MetaThrottled(string pathContains, int code, int status = 400) => new(pathContains, status, Body: new
    {
        error = new { message = "(#" + code + ") Application request limit reached", type = "OAuthException", code, is_transient = true, fbtrace_id = "sandbox" },
    });
}

/// <summary>One request the sandbox accepted: which API, which audience, how many members.</summary>
public sealed record SandboxCall(string Api, string AudienceId, int Members);

/// <summary>What the sandbox has seen and what it will do next; one per sandbox.</summary>
public sealed class SandboxState
{
    private int _nextId;

    public ConcurrentQueue<SandboxFault> Faults { get; } = new();
    public ConcurrentQueue<SandboxCall> Calls { get; } = new();
    public ConcurrentDictionary<string, int> DataRequests { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, int> AudienceMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Which members each AdtechA and AdtechB audience holds.</summary>
    public SandboxMembers Members { get; } = new();

    /// <summary>The AdtechA, AdtechB and Meta audiences by API and name (the first of a name, as the lookups answer).</summary>
    public ConcurrentDictionary<string, string> AudienceNames { get; } = new(StringComparer.Ordinal);

    /// <summary>Meta's upload sessions by audience and session id.</summary>
    public ConcurrentDictionary<string, SandboxSession> MetaSessions { get; } = new(StringComparer.Ordinal);

    /// <summary>Google Ads' user lists by customer and name (names are unique per customer).</summary>
    public ConcurrentDictionary<string, string> UserListNames { get; } = new(StringComparer.Ordinal);

    /// <summary>How many looks (googleAds:search) a Google job that ran stays RUNNING before it ends.</summary>
    public int JobLooksWhileRunning { get; set; } = 1;

    /// <summary>When set, the next Google job that runs ends FAILED with this <c>failure_reason</c>.</summary>
    public string? NextJobFailure { get; set; }

    /// <summary>Google Ads' offline user data jobs by resource name.</summary>
    public ConcurrentDictionary<string, SandboxJob> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Google's Data Manager API: its user lists, their members, its quota.</summary>
    public SandboxDataManager DataManager { get; } = new();

    /// <summary>The access token the adtech APIs accept.</summary>
    public string AccessToken { get; set; } = "sandbox-token";

    /// <summary>The developer token Google Ads accepts.</summary>
    public string DeveloperToken { get; set; } = "sandbox-developer-token";

    internal string NewId(string prefix) => $"{prefix}{Interlocked.Increment(ref _nextId):D10}";

    /// <summary>What a restart must not lose (<see cref="SandboxSaved"/>).</summary>
    public SandboxSaved Save()
    {
        var (rows, known) = Members.Save();
        return new SandboxSaved(Volatile.Read(ref _nextId), new(AudienceMembers), new(AudienceNames), new(UserListNames), rows, known, DataManager.Save());
    }

    /// <summary>Takes back what <see cref="Save"/> kept, into a sandbox that has served nothing yet.</summary>
    public void Restore(SandboxSaved saved)
    {
        _nextId = saved.NextId;
        Copy(saved.AudienceMembers, AudienceMembers);
        Copy(saved.AudienceNames, AudienceNames);
        Copy(saved.UserListNames, UserListNames);
        Members.Restore(saved.Rows, saved.KnownRows);
        DataManager.Restore(saved.DataManager);

        static void Copy<T>(Dictionary<string, T> from, ConcurrentDictionary<string, T> to)
        {
            foreach (var (key, value) in from)
            {
                to[key] = value;
            }
        }
    }

    private readonly Lock _faultLock = new();

    /// <summary>Takes the next fault when it is for this request.</summary>
    internal SandboxFault? TakeFault(string path, string idempotencyKey)
    {
        lock (_faultLock)
        {
            return Faults.TryPeek(out var fault) && path.Contains(fault.PathContains, StringComparison.Ordinal)
                && (fault.KeyContains is null || idempotencyKey.Contains(fault.KeyContains, StringComparison.Ordinal)) && Faults.TryDequeue(out fault)
                ? fault
                : null;
        }
    }
}



/// <summary>
/// A stand-in for the data source and the adtech APIs, served on loopback: in Development inside the portal, in tests
/// on their own port. It checks what real APIs check (token, required fields, enums), honours no Idempotency-Key (no
/// real adtech does: a request sent twice is applied twice)
/// (the same key on the same path gets the stored answer and changes nothing), and can be told to fail.
/// </summary>
public static class AdtechSandbox
{
    public static RouteGroupBuilder MapAdtechSandbox(this IEndpointRouteBuilder endpoints, string prefix, SandboxState state)
    {
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var path = http.Request.Path.Value ?? "";
            var key = http.Request.Headers[AdtechHttp.IdempotencyKeyHeader].ToString();
            var fault = state.TakeFault(path, key);
            if (fault is { PartialFailures: 0, AfterProcessing: false })
            {
                if (fault.Delay is { } delay)
                {
                    await Task.Delay(delay, http.RequestAborted);
                }

                if (fault.RetryAfterSeconds > 0)
                {
                    http.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                }

                return SandboxResults.Json(fault.Body ?? new { message = $"Sandbox fault {fault.Status}" }, statusCode: fault.Status);
            }

            if (fault is { PartialFailures: > 0 })
            {
                http.Items[PartialFailuresItem] = fault.PartialFailures;
            }

            var result = await next(context);
            if (fault is { AfterProcessing: true, Delay: null })
            {
                http.Abort(); // the request was applied; its answer is lost with the connection
                return Results.Empty;
            }

            if (fault is { AfterProcessing: true, Delay: { } late })
            {
                await Task.Delay(late, http.RequestAborted);
            }

            return result;
        });

        group.MapGet("/data/{**endpoint}", (string endpoint, HttpContext http) =>
        {
            state.DataRequests.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
            var count = int.TryParse(http.Request.Query["members"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : 1000;
            return Results.Stream(async stream =>
            {
                await using var writer = new Utf8JsonWriter(stream);
                writer.WriteStartArray();
                for (var i = 0; i < count; i++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("email", $"Member{i}@Example.com ");
                    // Indian members, like the demo customers: mobiles with "+91" or the trunk 0, six-digit PIN codes.
                    writer.WriteString("phone_number", i % 2 == 0 ? $"+91 98{i % 100_000_000:D8}" : $"098{i % 100_000_000:D8}");
                    writer.WriteString("zip_code", $"{560_000 + (i % 1000):D6}");
                    writer.WriteEndObject();
                    if (i % 1000 == 999)
                    {
                        await writer.FlushAsync();
                    }
                }

                writer.WriteEndArray();
                await writer.FlushAsync();
            }, "application/json");
        });

        // Explicit return types: a lambda of HttpContext alone would bind as a RequestDelegate and drop its IResult.
        group.MapPost("/adtech-a/v2/audiences", async Task<IResult> (HttpContext http) =>
            await AcceptAsync(http, state, "adtechA", null, body =>
                !body.Has("name") ? "name is required"
                : !AdtechKeys.AdtechAAudienceTypes.Contains(body.Text("audience_type")) ? "audience_type is not one of " + string.Join(", ", AdtechKeys.AdtechAAudienceTypes)
                : string.IsNullOrEmpty(http.Request.Query["advertiserId"]) ? "advertiserId is required"
                : null, "members"));
        group.MapPost("/adtech-a/v2/audiences/{id}/members", async Task<IResult> (string id, HttpContext http) =>
            await AcceptAsync(http, state, "adtechA", id, _ => null, "members"));
        group.MapPost("/adtech-b/audiences", async Task<IResult> (HttpContext http) =>
            await AcceptAsync(http, state, "adtechB", null, body =>
                !body.Has("name") ? "name is required"
                : body.Has("expiration") && (body.Int32("expiration") is not { } e || !AdtechKeys.IsValidExpiration(e)) ? "expiration must be 0 to 540 or 1000"
                : null, "data"));
        group.MapPost("/adtech-b/audiences/{id}/data", async Task<IResult> (string id, HttpContext http) =>
            await AcceptAsync(http, state, "adtechB", id, _ => null, "data"));
        group.MapMeta(state);
        group.MapAudienceLookups(state);
        group.MapMemberRemoves(state);
        group.MapSeedReports(state);
        group.MapGoogleAds(state);
        group.MapDataManager(state);
        group.MapConnectionChecks(state);
        return group;
    }

    /// <summary>How many members of the request a partial-failure fault rejects (an <see cref="HttpContext.Items"/> key).</summary>
    internal const string PartialFailuresItem = "sandbox.partial-failures";

    internal static int PartialFailures(HttpContext http) => http.Items.TryGetValue(PartialFailuresItem, out var n) && n is int count ? count : 0;

    /// <summary>The request body as a JSON object, or why not.</summary>
    internal static async Task<(JsonDocument? Document, string? Error)> ReadObjectAsync(HttpRequest request)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body);
        }
        catch (JsonException ex)
        {
            return (null, $"Body is not JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, "Body must be a JSON object");
        }

        return (document, null);
    }

    internal static string Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    /// <summary>
    /// Checks the token and the body (read as it streams in), then counts the members in the array at
    /// <paramref name="membersPath"/> (none when there is none) and records them.
    /// </summary>
    internal static async Task<IResult> AcceptAsync(HttpContext http, SandboxState state, string api, string? id,
        Func<SandboxBody, string?> validate, string membersPath)
    {
        if (http.Request.Headers.Authorization != $"Bearer {state.AccessToken}")
        {
            return SandboxResults.Json(new { message = "Invalid or missing access token" }, statusCode: 401);
        }

        var rowsPath = state.Members.Kept && api is "adtechA" or "adtechB" ? membersPath : null;
        var (body, invalid, rows) = await SandboxMemberRoutes.ReadAsync(http.Request.BodyReader, rowsPath, state.Members, http.RequestAborted);
        if (body is null)
        {
            return SandboxResults.Json(new { message = invalid }, statusCode: 400);
        }

        if (validate(body) is { } error)
        {
            return SandboxResults.Json(new { message = error }, statusCode: 400);
        }

        if (id is not null && !state.AudienceMembers.ContainsKey(id))
        {
            return SandboxResults.Json(new { message = $"No audience {id}" }, statusCode: 404);
        }

        var received = body.ArrayLength(membersPath) ?? 0;
        var invalidEntries = Math.Min(received, PartialFailures(http));
        var count = received - invalidEntries;
        if (id is null)
        {
            id = state.NewId(api switch { "adtechA" => "A", "adtechB" => "B", _ => "23850000" });
            state.AudienceNames.TryAdd($"{api}\n{body.Text("name")}", id);
        }

        state.AudienceMembers.AddOrUpdate(id, count, (_, n) => n + count);
        state.Members.Add(id, rows?.Take(count) ?? []);
        state.Calls.Enqueue(new SandboxCall(api, id, count));
        return SandboxResults.Json(new { id, message = $"Accepted {count} members", num_received = received, num_invalid_entries = invalidEntries });
    }
}
