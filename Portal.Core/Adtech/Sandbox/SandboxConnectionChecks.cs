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
            Authorized(http, state) ? SandboxResults.Json(new { id = advertiserId, name = "Sandbox advertiser" }) : Unauthorized());
        group.MapGet("/adtech-b/me", (HttpContext http) =>
            Authorized(http, state) ? SandboxResults.Json(new { account = "sandbox" }) : Unauthorized());
    }

    internal static bool Authorized(HttpContext http, SandboxState state) => http.Request.Headers.Authorization == $"Bearer {state.AccessToken}";

    internal static IResult Unauthorized() => SandboxResults.Json(new { message = "Invalid or missing access token" }, statusCode: 401);
}
