using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// AdtechA's and AdtechB's audience lookup by name, the read a connector makes to settle a create whose answer was lost
/// (the seed's APIs document no such route; the sandbox's is <c>GET adtech-a/v2/audiences?advertiserId=&amp;name=</c> and
/// <c>GET adtech-b/audiences?name=</c>, answering <c>{"audiences": [{"id", "name"}]}</c>, empty when there is none).
/// </summary>
internal static class SandboxLookups
{
    public static void MapAudienceLookups(this RouteGroupBuilder group, SandboxState state)
    {
        group.MapGet("/adtech-a/v2/audiences", (HttpContext http) => Lookup(http, state, "adtechA"));
        group.MapGet("/adtech-b/audiences", (HttpContext http) => Lookup(http, state, "adtechB"));
    }

    private static IResult Lookup(HttpContext http, SandboxState state, string api)
    {
        if (!SandboxConnectionChecks.Authorized(http, state))
        {
            return SandboxConnectionChecks.Unauthorized();
        }

        var name = http.Request.Query["name"].ToString();
        return SandboxResults.Json(new
        {
            audiences = state.AudienceNames.TryGetValue($"{api}\n{name}", out var id) ? new[] { new { id, name } } : [],
        });
    }
}
