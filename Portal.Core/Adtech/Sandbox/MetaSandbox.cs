using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// Meta's Graph API in the sandbox, on its real paths under the sandbox's Meta base URL (<c>meta/</c>):
/// <c>/vNN.0/act_&lt;id&gt;/customaudiences</c> (create), <c>/vNN.0/&lt;audience id&gt;/users</c> (add),
/// <c>/vNN.0/act_&lt;id&gt;</c> (the connection check) and <c>/vNN.0/&lt;audience id&gt;?fields=…</c> (its approximate counts). Errors of the users route have the Graph shape,
/// <c>{"error": {"message", "type", "code", "is_transient"}}</c>; throttling comes as such an error through a fault
/// (<see cref="SandboxFault.MetaThrottled"/>), with Meta's rate-limit codes.
/// </summary>
internal static class MetaSandbox
{
    public const string Api = "meta";

    public static void MapMeta(this RouteGroupBuilder group, SandboxState state)
    {
        var graph = group.MapGroup("/meta/{version}");
        graph.AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("version") is string version && IsVersion(version)
                ? await next(context)
                : Error(400, $"Unknown path components: /{context.HttpContext.GetRouteValue("version")}", 2500));

        graph.MapPost("/{account}/customaudiences", async Task<IResult> (string account, HttpContext http) =>
            await AdtechSandbox.AcceptAsync(http, state, Api, null, body =>
                !IsAdAccount(account) ? "the ad account must be act_<id>"
                : !body.Has("name") ? "name is required"
                : body.Text("subtype") != "CUSTOM" ? "subtype must be CUSTOM"
                : null, "none"));
        graph.MapPost("/{id}/users", (string id, HttpContext http) => UsersAsync(http, state, id, "add"));
        graph.MapDelete("/{id}/users", (string id, HttpContext http) => UsersAsync(http, state, id, "remove"));
        graph.MapPost("/{id}/usersreplace", (string id, HttpContext http) => UsersAsync(http, state, id, "replace"));
        graph.MapGet("/{account}/customaudiences", (string account, HttpContext http) => FindAudiences(http, state, account));
        graph.MapGet("/{account}", (string account, HttpContext http) =>
            !SandboxConnectionChecks.Authorized(http, state) ? SandboxConnectionChecks.Unauthorized()
            : !account.StartsWith("act_", StringComparison.Ordinal) ? SandboxReports.MetaAudience(http, state, account)
            : !IsAdAccount(account) || !account[4..].All(char.IsAsciiDigit)
                ? SandboxResults.Json(new { message = $"Unknown ad account '{account}'" }, statusCode: 404)
                : SandboxResults.Json(new { id = account, name = "Sandbox ad account", account_status = 1 }));
    }

    /// <summary>
    /// Adds users (<c>POST /users</c>), removes them (<c>DELETE /users</c>, the add's body) or replaces the audience's
    /// users (<c>POST /usersreplace</c>, whose <c>session</c> is required: when its last batch has come, the audience
    /// holds exactly the rows the session sent). Checks the token, the payload (at most 10,000 rows) and the
    /// <c>session</c> when there is one (<c>session_id</c> a number, <c>batch_seq</c> from 1, <c>last_batch_flag</c> a
    /// boolean; no batch after the last), and answers as Meta does, its counts as numeric strings.
    /// </summary>
    private static async Task<IResult> UsersAsync(HttpContext http, SandboxState state, string id, string change)
    {
        if (!SandboxConnectionChecks.Authorized(http, state))
        {
            return Error(401, "Invalid OAuth access token", 190);
        }

        var rowsPath = state.Members.Kept ? "payload.data" : null;
        var (body, invalid, keys) = await SandboxMemberRoutes.ReadAsync(http.Request.BodyReader, rowsPath, state.Members, http.RequestAborted);
        if (body is null)
        {
            return Error(400, invalid!, 100);
        }

        if (body.ArrayLength("payload.data") is not { } rows || body.ArrayLength("payload.schema") is not > 0)
        {
            return Error(400, "(#100) payload.schema and payload.data are required", 100);
        }

        if (rows > 10_000)
        {
            return Error(400, "(#100) at most 10000 entries per request", 100);
        }

        if (!state.AudienceMembers.ContainsKey(id))
        {
            return Error(400, $"(#100) Unsupported {(change == "remove" ? "delete" : "post")} request. Object with ID '{id}' does not exist", 100);
        }

        if (change == "replace" && !body.Has("session"))
        {
            return Error(400, "(#100) session is required: session_id, batch_seq and last_batch_flag", 100);
        }

        var invalidEntries = Math.Min(rows, AdtechSandbox.PartialFailures(http));
        var count = rows - invalidEntries;
        var accepted = keys?.Take(count) ?? [];
        if (body.Has("session"))
        {
            var sessionId = body.Number("session.session_id");
            var sequence = body.Int32("session.batch_seq");
            var last = body.Boolean("session.last_batch_flag");
            if (sessionId is null || sequence is not >= 1 || last is null)
            {
                return Error(400, "(#100) session needs session_id (a number), batch_seq (from 1) and last_batch_flag (a boolean)", 100);
            }

            var session = state.MetaSessions.GetOrAdd($"{id}/{(change == "replace" ? "replace/" : "")}{sessionId}", _ => new SandboxSession());
            lock (session)
            {
                if (session.Ended && sequence > session.HighestSequence)
                {
                    return Error(400, "(#100) The session has ended: its last batch was received", 100);
                }

                session.Batches++;
                session.HighestSequence = Math.Max(session.HighestSequence, sequence.Value);
                session.Ended |= last.Value;
                session.EstimatedTotal = body.Number("session.estimated_num_total") ?? session.EstimatedTotal;
                if (change == "replace")
                {
                    session.Replacement.AddRange(accepted);
                    if (last.Value)
                    {
                        state.Members.Replace(id, session.Replacement);
                        state.AudienceMembers[id] = session.Replacement.Count;
                    }
                }
            }
        }

        if (change == "remove")
        {
            var removed = state.Members.Kept ? state.Members.Remove(id, accepted) : count;
            state.AudienceMembers.AddOrUpdate(id, 0, (_, n) => n - removed);
        }
        else if (change == "add")
        {
            state.AudienceMembers.AddOrUpdate(id, count, (_, n) => n + count);
            state.Members.Add(id, accepted);
        }

        state.Calls.Enqueue(new SandboxCall(change == "add" ? Api : $"{Api}:{change}", id, count));
        return SandboxResults.Json(new
        {
            audience_id = id,
            session_id = body.Number("session.session_id"),
            num_received = rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            num_invalid_entries = invalidEntries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            invalid_entry_samples = new { },
        });
    }

    /// <summary>
    /// The ad account's custom audiences, with <c>filtering=[{"field":"name","operator":"EQUAL","value":…}]</c> those of
    /// that name: <c>{"data": [{"id", "name"}]}</c>.
    /// </summary>
    private static IResult FindAudiences(HttpContext http, SandboxState state, string account)
    {
        if (!SandboxConnectionChecks.Authorized(http, state))
        {
            return Error(401, "Invalid OAuth access token", 190);
        }

        if (!IsAdAccount(account))
        {
            return Error(400, "(#100) the ad account must be act_<id>", 100);
        }

        string? name = null;
        try
        {
            using var filtering = System.Text.Json.JsonDocument.Parse(http.Request.Query["filtering"].FirstOrDefault() ?? "[]");
            foreach (var filter in filtering.RootElement.EnumerateArray())
            {
                if (AdtechSandbox.Text(filter, "field") == "name" && AdtechSandbox.Text(filter, "operator") == "EQUAL")
                {
                    name = AdtechSandbox.Text(filter, "value");
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            return Error(400, "(#100) filtering must be a JSON array of {field, operator, value}", 100);
        }

        var found = state.AudienceNames.Where(a => a.Key.StartsWith(Api + "\n", StringComparison.Ordinal) && (name is null || a.Key[(Api.Length + 1)..] == name))
            .Select(a => new { id = a.Value, name = a.Key[(Api.Length + 1)..] });
        return SandboxResults.Json(new { data = found });
    }

    /// <summary>A Graph API version as paths carry it: <c>v</c>, the major number, <c>.0</c>.</summary>
    internal static bool IsVersion(string version) =>
        version.Length > 3 && version[0] == 'v' && version.EndsWith(".0", StringComparison.Ordinal) && version[1..^2].All(char.IsAsciiDigit);

    private static bool IsAdAccount(string account) => account.StartsWith("act_", StringComparison.Ordinal) && account.Length > 4;

    /// <summary>A Graph API error.</summary>
    internal static IResult Error(int status, string message, int code, bool transient = false, int? subcode = null) =>
        SandboxResults.Json(new { error = new { message, type = "OAuthException", code, error_subcode = subcode, is_transient = transient, fbtrace_id = "sandbox" } }, statusCode: status);
}
