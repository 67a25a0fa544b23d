using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// What each adtech reports about an audience's matching, from the members the sandbox holds and those it matched
/// (<see cref="SandboxMembers.Matched"/>):
/// <list type="bullet">
/// <item>AdtechA and AdtechB (the seed's APIs have no report route; the sandbox's, in their style, is
/// <c>GET adtech-a/v2/audiences/{id}/report?advertiserId=</c> and <c>GET adtech-b/audiences/{id}/report</c>):
/// <c>{"id", "num_received", "num_matched"}</c>, the members held and those matched;</item>
/// <item>Meta (<c>GET vNN.0/{audience id}?fields=approximate_count_lower_bound,approximate_count_upper_bound</c>): the
/// matched count as a range, ⌊0.95 × matched⌋ to ⌈1.05 × matched⌉;</item>
/// <item>Google Ads (GAQL on <c>user_list</c> by resource name): <c>sizeForDisplay</c> the matched count,
/// <c>sizeForSearch</c> ⌊0.9 × matched⌋ (int64 as JSON strings, as the REST API sends them), and
/// <c>matchRatePercentage</c> matched ÷ held in whole percents.</item>
/// </list>
/// </summary>
internal static class SandboxReports
{
    public static void MapSeedReports(this RouteGroupBuilder group, SandboxState state)
    {
        group.MapGet("/adtech-a/v2/audiences/{id}/report", (string id, HttpContext http) =>
            string.IsNullOrEmpty(http.Request.Query["advertiserId"])
                ? SandboxResults.Json(new { message = "advertiserId is required" }, statusCode: 400)
                : SeedReport(http, state, id));
        group.MapGet("/adtech-b/audiences/{id}/report", (string id, HttpContext http) => SeedReport(http, state, id));
    }

    private static IResult SeedReport(HttpContext http, SandboxState state, string id)
    {
        if (!SandboxConnectionChecks.Authorized(http, state))
        {
            return SandboxConnectionChecks.Unauthorized();
        }

        return state.AudienceMembers.TryGetValue(id, out var held)
            ? SandboxResults.Json(new { id, num_received = held, num_matched = state.Members.Matched(id) })
            : SandboxResults.Json(new { message = $"No audience {id}" }, statusCode: 404);
    }

    /// <summary>A Meta custom audience's fields (only the approximate counts are served), or Graph's error for an unknown id.</summary>
    public static IResult MetaAudience(HttpContext http, SandboxState state, string id)
    {
        if (!state.AudienceMembers.ContainsKey(id))
        {
            return MetaSandbox.Error(400, $"(#100) Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation", 100, subcode: 33);
        }

        var matched = state.Members.Matched(id);
        var fields = http.Request.Query["fields"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var answer = new Dictionary<string, object> { ["id"] = id };
        if (fields.Contains("approximate_count_lower_bound"))
        {
            answer["approximate_count_lower_bound"] = (long)Math.Floor(matched * 0.95);
        }

        if (fields.Contains("approximate_count_upper_bound"))
        {
            answer["approximate_count_upper_bound"] = (long)Math.Ceiling(matched * 1.05);
        }

        return SandboxResults.Json(answer);
    }

    /// <summary>The googleAds:search answer for a user list's sizes and match rate.</summary>
    public static IResult UserListSizes(SandboxState state, string resourceName)
    {
        if (!state.AudienceMembers.TryGetValue(resourceName, out var held))
        {
            return SandboxResults.Json(new { results = Array.Empty<object>() });
        }

        var matched = state.Members.Matched(resourceName);
        var userList = new Dictionary<string, object>
        {
            ["resourceName"] = resourceName,
            ["sizeForDisplay"] = matched.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sizeForSearch"] = ((long)Math.Floor(matched * 0.9)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (held > 0)
        {
            userList["matchRatePercentage"] = (int)Math.Round(100.0 * matched / held, MidpointRounding.AwayFromZero);
        }

        return SandboxResults.Json(new { results = new[] { new { userList } } });
    }
}
