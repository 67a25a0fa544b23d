using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// Google's Data Manager API in the sandbox, on its real REST paths under the sandbox's Data Manager base URL
/// (<c>datamanager/</c>, then <c>/v1/…</c>): user lists (create, list with a <c>display_name</c> filter; display names
/// unique per account), and <c>audienceMembers:ingest</c>, <c>:remove</c> and <c>:removeAll</c> into Google Ads user
/// lists named by <c>destinations</c>. It checks what the API requires: the bearer token, destinations (1 to 10, a
/// Google Ads operating account, a list of that account), 1 to 10,000 members of 1 to 10 identifiers, SHA-256 hex
/// identifiers under <c>encoding: HEX</c>, the Customer Match terms of service on ingests, membership durations of whole
/// days up to 540; and the ingestion quota (<see cref="SandboxDataManager.QuotaRequests"/> a window, then 429
/// RESOURCE_EXHAUSTED). Errors have Google's shape: <c>{"error": {code, message, status, details: [ErrorInfo with the
/// Data Manager ErrorReason]}}</c>. No Idempotency-Key is honoured: an ingest sent twice is applied twice (which changes
/// nothing but the members' "last added" time).
/// </summary>
internal static class DataManagerSandbox
{
    private const int MaxMembers = 10_000;
    private const int MaxIdentifiers = 10;
    private const int MaxDestinations = 10;
    private const long MaxDurationSeconds = 540L * 86_400;
    private static readonly string[] Consents = ["CONSENT_STATUS_UNSPECIFIED", "CONSENT_GRANTED", "CONSENT_DENIED"];

    public static void MapDataManager(this RouteGroupBuilder sandbox, SandboxState state)
    {
        var dm = state.DataManager;
        var group = sandbox.MapGroup("/datamanager/{version}");
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.GetRouteValue("version") is not "v1")
            {
                return Error(404, "NOT_FOUND", "NOT_FOUND", $"No Data Manager API version '{http.GetRouteValue("version")}'");
            }

            return http.Request.Headers.Authorization != $"Bearer {state.AccessToken}"
                ? Error(401, "UNAUTHENTICATED", "PERMISSION_DENIED", "Request had invalid authentication credentials.")
                : await next(context);
        });

        group.MapGet("/accountTypes/{type}/accounts/{account}/userLists", (string type, string account, HttpContext http) =>
        {
            if (type != "GOOGLE_ADS" || !account.All(char.IsAsciiDigit))
            {
                return Error(400, "INVALID_ARGUMENT", "INVALID_RESOURCE_NAME", "The parent must be accountTypes/GOOGLE_ADS/accounts/{digits}");
            }

            var filter = http.Request.Query["filter"].ToString();
            const string Prefix = "display_name = \"";
            if (filter.Length > 0 && (!filter.StartsWith(Prefix, StringComparison.Ordinal) || !filter.EndsWith('"')))
            {
                return Error(400, "INVALID_ARGUMENT", "INVALID_FILTER", "The sandbox filters on display_name = \"…\" only");
            }

            var wanted = filter.Length == 0 ? null : filter[Prefix.Length..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            var lists = wanted is null
                ? dm.Lists.Where(l => l.StartsWith($"accountTypes/GOOGLE_ADS/accounts/{account}/", StringComparison.Ordinal)).Select(l => new { name = l }).Cast<object>().ToList()
                : dm.Find(account, wanted) is { } found ? [new { name = found, displayName = wanted }] : [];
            return SandboxResults.Json(new { userLists = lists });
        });

        group.MapPost("/accountTypes/{type}/accounts/{account}/userLists", (string type, string account, HttpContext http) => HandleAsync(http, body =>
        {
            if (type != "GOOGLE_ADS" || !account.All(char.IsAsciiDigit))
            {
                return Error(400, "INVALID_ARGUMENT", "INVALID_RESOURCE_NAME", "The parent must be accountTypes/GOOGLE_ADS/accounts/{digits}");
            }

            var name = AdtechSandbox.Text(body, "displayName");
            if (name.Length == 0)
            {
                return Error(400, "INVALID_ARGUMENT", "REQUIRED_FIELD_MISSING", "user_list.display_name is required");
            }

            if (!body.TryGetProperty("ingestedUserListInfo", out var info) || !info.TryGetProperty("uploadKeyTypes", out var keys)
                || keys.ValueKind != JsonValueKind.Array || keys.GetArrayLength() == 0)
            {
                return Error(400, "INVALID_ARGUMENT", "REQUIRED_FIELD_MISSING", "user_list.ingested_user_list_info.upload_key_types is required");
            }

            if (body.TryGetProperty("membershipDuration", out var duration))
            {
                var seconds = Seconds(duration);
                if (seconds is null || seconds % 86_400 != 0)
                {
                    return Error(400, "INVALID_ARGUMENT", "INVALID_FORMAT", "user_list.membership_duration must be whole days as seconds, such as \"2592000s\"");
                }

                if (seconds > MaxDurationSeconds)
                {
                    return Error(400, "INVALID_ARGUMENT", "MEMBERSHIP_DURATION_TOO_LONG", "user_list.membership_duration is at most 540 days");
                }
            }

            return dm.Create(account, name) is { } list
                ? SandboxResults.Json(new { name = list, id = list[(list.LastIndexOf('/') + 1)..], displayName = name, membershipStatus = "OPEN" })
                : Error(400, "INVALID_ARGUMENT", "DISPLAY_NAME_ALREADY_USED", "The display name is already used by another user list of the account");
        }));

        group.MapPost("/audienceMembers:ingest", Task<IResult> (HttpContext http) => HandleAsync(http, body => Members(dm, body, ingest: true), dm));
        group.MapPost("/audienceMembers:remove", Task<IResult> (HttpContext http) => HandleAsync(http, body => Members(dm, body, ingest: false), dm));
        group.MapPost("/audienceMembers:removeAll", Task<IResult> (HttpContext http) => HandleAsync(http, body =>
        {
            if (Destinations(dm, body, out var lists) is { } refused)
            {
                return refused;
            }

            var asOf = dm.Clock.GetUtcNow();
            if (body.TryGetProperty("removeAsOfTime", out var time)
                && (time.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out asOf)))
            {
                return Error(400, "INVALID_ARGUMENT", "INVALID_FORMAT", "remove_as_of_time must be an RFC 3339 timestamp");
            }

            if (asOf > dm.Clock.GetUtcNow())
            {
                return Error(400, "INVALID_ARGUMENT", "INVALID_REMOVE_AS_OF_TIME", "remove_as_of_time must not be in the future");
            }

            foreach (var list in lists)
            {
                dm.RemoveAddedBefore(list, asOf);
            }

            return SandboxResults.Json(new { requestId = Guid.NewGuid().ToString() });
        }, dm));
    }

    /// <summary>An ingest or remove: checks the destinations, the members and their identifiers, then applies them.</summary>
    private static IResult Members(SandboxDataManager dm, JsonElement body, bool ingest)
    {
        if (Destinations(dm, body, out var lists) is { } refused)
        {
            return refused;
        }

        if (!body.TryGetProperty("audienceMembers", out var members) || members.ValueKind != JsonValueKind.Array || members.GetArrayLength() == 0)
        {
            return Error(400, "INVALID_ARGUMENT", "REQUIRED_FIELD_MISSING", "audience_members is required");
        }

        if (members.GetArrayLength() > MaxMembers)
        {
            return Error(400, "INVALID_ARGUMENT", "TOO_MANY_AUDIENCE_MEMBERS", "Maximum number of audience members allowed per request is 10,000.", "audience_members");
        }

        if (AdtechSandbox.Text(body, "encoding") != "HEX")
        {
            return Error(400, "INVALID_ARGUMENT", "REQUIRED_FIELD_MISSING", "encoding is required for user data (the sandbox takes HEX)", "encoding");
        }

        if (ingest && (!body.TryGetProperty("termsOfService", out var terms) || AdtechSandbox.Text(terms, "customerMatchTermsOfServiceStatus") != "ACCEPTED"))
        {
            return Error(400, "INVALID_ARGUMENT", "TERMS_AND_CONDITIONS_NOT_SIGNED", "The Customer Match terms of service must be accepted", "terms_of_service");
        }

        if (ingest && body.TryGetProperty("consent", out var consent)
            && (!Consents.Contains(AdtechSandbox.Text(consent, "adUserData")) || !Consents.Contains(AdtechSandbox.Text(consent, "adPersonalization"))))
        {
            return Error(400, "INVALID_ARGUMENT", "INVALID_ENUM_VALUE", "consent.ad_user_data and consent.ad_personalization must be ConsentStatus values", "consent");
        }

        var rows = new List<UInt128>();
        var index = 0;
        foreach (var member in members.EnumerateArray())
        {
            var field = $"audience_members[{index++}]";
            if (member.ValueKind != JsonValueKind.Object || !member.TryGetProperty("userData", out var data)
                || !data.TryGetProperty("userIdentifiers", out var ids) || ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() == 0)
            {
                return Error(400, "INVALID_ARGUMENT", "INVALID_AUDIENCE_MEMBER", "Each audience member needs user_data.user_identifiers", field);
            }

            if (ids.GetArrayLength() > MaxIdentifiers)
            {
                return Error(400, "INVALID_ARGUMENT", "TOO_MANY_USER_IDENTIFIERS", "Maximum number of user identifiers allowed per audience member is 10.",
                    $"{field}.user_data.user_identifiers");
            }

            if (ids.EnumerateArray().Select(Identifier).FirstOrDefault(problem => problem is not null) is { } problem)
            {
                return Error(400, "INVALID_ARGUMENT", problem.Reason, problem.Message, $"{field}.user_data.user_identifiers");
            }

            rows.Add(SandboxMembers.RowKey(Hashes(ids, "emailAddress"), Hashes(ids, "phoneNumber"), []));
        }

        foreach (var list in lists)
        {
            if (ingest)
            {
                dm.Add(list, rows);
            }
            else
            {
                dm.Remove(list, rows);
            }
        }

        return SandboxResults.Json(new { requestId = Guid.NewGuid().ToString() });
    }

    /// <summary>Null when the identifier is one well-formed email, phone or address; else the ErrorReason and why.</summary>
    private static (string Reason, string Message)? Identifier(JsonElement identifier)
    {
        var properties = identifier.ValueKind == JsonValueKind.Object ? identifier.EnumerateObject().ToList() : [];
        if (properties.Count != 1 || properties[0].Name is not ("emailAddress" or "phoneNumber" or "address"))
        {
            return ("INVALID_FORMAT", "A user identifier holds exactly one of email_address, phone_number, address");
        }

        if (properties[0].Name == "address")
        {
            var address = properties[0].Value;
            return new[] { "givenName", "familyName", "regionCode", "postalCode" }.All(f => AdtechSandbox.Text(address, f).Length > 0)
                ? null
                : ("REQUIRED_FIELD_MISSING", "address needs given_name, family_name, region_code and postal_code");
        }

        var value = properties[0].Value.ValueKind == JsonValueKind.String ? properties[0].Value.GetString() ?? "" : "";
        return value.Length == 64 && value.All(char.IsAsciiHexDigit) ? null : ("INVALID_SHA256_FORMAT", "The SHA256 encoded value is malformed.");
    }

    /// <summary>The destinations' user lists, or the refusal: 1 to 10, each a Google Ads operating account and one of its lists.</summary>
    private static IResult? Destinations(SandboxDataManager dm, JsonElement body, out List<string> lists)
    {
        lists = [];
        if (!body.TryGetProperty("destinations", out var destinations) || destinations.ValueKind != JsonValueKind.Array || destinations.GetArrayLength() == 0)
        {
            return Error(400, "INVALID_ARGUMENT", "REQUIRED_FIELD_MISSING", "destinations is required", "destinations");
        }

        if (destinations.GetArrayLength() > MaxDestinations)
        {
            return Error(400, "INVALID_ARGUMENT", "TOO_MANY_DESTINATIONS", "Maximum number of destinations allowed per request is 10.", "destinations");
        }

        var index = 0;
        foreach (var destination in destinations.EnumerateArray())
        {
            var field = $"destinations[{index++}]";
            if (!destination.TryGetProperty("operatingAccount", out var operating) || AdtechSandbox.Text(operating, "accountType") != "GOOGLE_ADS"
                || AdtechSandbox.Text(operating, "accountId") is not { Length: > 0 } account || !account.All(char.IsAsciiDigit))
            {
                return Error(400, "INVALID_ARGUMENT", "INVALID_DESTINATION", "operating_account needs account_type GOOGLE_ADS and an account_id of digits", $"{field}.operating_account");
            }

            var list = $"accountTypes/GOOGLE_ADS/accounts/{account}/userLists/{AdtechSandbox.Text(destination, "productDestinationId")}";
            if (!dm.Exists(list))
            {
                return Error(400, "INVALID_ARGUMENT", "INVALID_USER_LIST_ID", "User list is not valid.", $"{field}.product_destination_id");
            }

            lists.Add(list);
        }

        return null;
    }

    private static IEnumerable<string> Hashes(JsonElement ids, string kind) =>
        ids.EnumerateArray().Where(id => id.TryGetProperty(kind, out _)).Select(id => id.GetProperty(kind).GetString()!.ToLowerInvariant());

    /// <summary>A protobuf Duration in JSON ("86400s") as seconds, or null.</summary>
    private static long? Seconds(JsonElement duration) =>
        duration.ValueKind == JsonValueKind.String && duration.GetString() is { Length: > 1 } text && text[^1] == 's'
            && long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : null;

    /// <summary>Takes the quota (ingestion requests, <paramref name="quota"/> when given), reads the body, and lets <paramref name="handle"/> answer.</summary>
    private static async Task<IResult> HandleAsync(HttpContext http, Func<JsonElement, IResult> handle, SandboxDataManager? quota = null)
    {
        if (quota is not null && !quota.TakeQuota())
        {
            return SandboxResults.Json(new
            {
                error = new
                {
                    code = 429,
                    message = "Quota exceeded for quota metric 'Ingestion mutate requests' and limit 'Ingestion mutate requests per minute per project'.",
                    status = "RESOURCE_EXHAUSTED",
                    details = new[]
                    {
                        new Dictionary<string, object>
                        {
                            ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                            ["reason"] = "RATE_LIMIT_EXCEEDED",
                            ["domain"] = "googleapis.com",
                            ["metadata"] = new Dictionary<string, string> { ["quota_limit"] = "IngestionMutateRequestsPerMinutePerProject", ["service"] = "datamanager.googleapis.com" },
                        },
                    },
                },
            }, statusCode: 429);
        }

        var (document, invalid) = await AdtechSandbox.ReadObjectAsync(http.Request);
        if (document is null)
        {
            return Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", invalid!);
        }

        using var _ = document;
        return handle(document.RootElement);
    }

    /// <summary>
    /// Google's error shape: the code, message and status, with an <c>ErrorInfo</c> naming the Data Manager
    /// <c>ErrorReason</c> and, for a field, a <c>BadRequest</c> field violation.
    /// </summary>
    private static IResult Error(int code, string status, string reason, string message, string? field = null)
    {
        var details = new List<Dictionary<string, object>>
        {
            new() { ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo", ["reason"] = reason, ["domain"] = "datamanager.googleapis.com" },
        };
        if (field is not null)
        {
            details.Add(new()
            {
                ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                ["fieldViolations"] = new[] { new { field, description = message, reason } },
            });
        }

        return SandboxResults.Json(new { error = new { code, message, status, details } }, statusCode: code);
    }
}
