using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// Meta's Graph API in the sandbox, on its real paths under the sandbox's Meta base URL (<c>meta/</c>):
/// <c>/vNN.0/act_&lt;id&gt;/customaudiences</c> (create), <c>/vNN.0/&lt;audience id&gt;/users</c> (add) and
/// <c>/vNN.0/act_&lt;id&gt;</c> (the connection check). Errors have the Graph shape, <c>{"error": {"message", "type", "code"}}</c>.
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
        graph.MapPost("/{id}/users", async Task<IResult> (string id, HttpContext http) =>
            await AdtechSandbox.AcceptAsync(http, state, Api, id, body =>
                body.ArrayLength("payload.data") is not { } records ? "payload.schema and payload.data are required"
                : records > 10_000 ? "at most 10000 records per request"
                : null, "payload.data"));
        graph.MapGet("/{account}", (string account, HttpContext http) =>
            !SandboxConnectionChecks.Authorized(http, state) ? SandboxConnectionChecks.Unauthorized()
            : !IsAdAccount(account) || !account[4..].All(char.IsAsciiDigit)
                ? Results.Json(new { message = $"Unknown ad account '{account}'" }, statusCode: 404)
                : Results.Json(new { id = account, name = "Sandbox ad account", account_status = 1 }));
    }

    /// <summary>A Graph API version as paths carry it: <c>v</c>, the major number, <c>.0</c>.</summary>
    internal static bool IsVersion(string version) =>
        version.Length > 3 && version[0] == 'v' && version.EndsWith(".0", StringComparison.Ordinal) && version[1..^2].All(char.IsAsciiDigit);

    private static bool IsAdAccount(string account) => account.StartsWith("act_", StringComparison.Ordinal) && account.Length > 4;

    /// <summary>A Graph API error.</summary>
    internal static IResult Error(int status, string message, int code, bool transient = false, int? subcode = null) =>
        Results.Json(new { error = new { message, type = "OAuthException", code, error_subcode = subcode, is_transient = transient, fbtrace_id = "sandbox" } }, statusCode: status);
}
