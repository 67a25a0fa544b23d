using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// The read-only requests the connection check makes, one per adtech, answered as the real APIs would: 401 for a wrong
/// token (or developer token), 404 for an account the credentials do not reach.
/// </summary>
internal static class SandboxConnectionChecks
{
    public static void MapConnectionChecks(this RouteGroupBuilder group, SandboxState state)
    {
        group.MapGet("/adtech-a/v2/advertisers/{advertiserId}", (string advertiserId, HttpContext http) =>
            Authorized(http, state) ? Results.Json(new { id = advertiserId, name = "Sandbox advertiser" }) : Unauthorized());
        group.MapGet("/adtech-b/me", (HttpContext http) =>
            Authorized(http, state) ? Results.Json(new { account = "sandbox" }) : Unauthorized());
        group.MapGet("/meta/{account}", (string account, HttpContext http) =>
            !Authorized(http, state) ? Unauthorized()
            : !account.StartsWith("act_", StringComparison.Ordinal) || account.Length == 4 || !account[4..].All(char.IsAsciiDigit)
                ? Results.Json(new { message = $"Unknown ad account '{account}'" }, statusCode: 404)
                : Results.Json(new { id = account, name = "Sandbox ad account", account_status = 1 }));
        group.MapGet("/google-ads/v21/customers:listAccessibleCustomers", (HttpContext http) =>
            !Authorized(http, state) || http.Request.Headers["developer-token"] != state.DeveloperToken
                ? Results.Json(new { error = new { code = 401, message = "The credentials or the developer token are not valid", status = "UNAUTHENTICATED" } }, statusCode: 401)
                : Results.Json(new { resourceNames = new[] { "customers/1234567890" } }));
    }

    private static bool Authorized(HttpContext http, SandboxState state) => http.Request.Headers.Authorization == $"Bearer {state.AccessToken}";

    private static IResult Unauthorized() => Results.Json(new { message = "Invalid or missing access token" }, statusCode: 401);
}
