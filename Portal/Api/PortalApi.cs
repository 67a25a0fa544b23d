using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Accounts;
using Portal.Core.Dashboard;
using Portal.Core.Jobs;

namespace Portal.Api;

/// <summary>
/// The REST API under <c>/api</c>. Every route needs a signed-in user (the fallback policy); commands also need a role,
/// checked both by the endpoint's policy and again by the service it calls. Antiforgery tokens are off: changes are
/// guarded by <see cref="ApiRequestProof"/> instead (a required header and a same-origin check).
/// </summary>
internal static class PortalApi
{
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization().DisableAntiforgery().WithMetadata(ApiRequestProof.Required)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(void)))
            .WithMetadata(ApiLimits.JsonBody);

        api.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new MeDto(user.Identity?.Name, Roles.All.Where(user.IsInRole).ToArray())))
            .WithTags("Account").WithSummary("The signed-in user and their roles");

        api.MapJobsApi();
        api.MapGet("/dashboard/totals", async (DashboardQueries dashboard) =>
            await dashboard.TotalsAsync() is { } totals
                ? Results.Ok(new { totals.Users, totals.CreditCardTransactions, totals.UpiTransactions, totals.Transactions, totals.TotalSpend, totals.ComputedAt })
                : Results.NotFound(new ApiMessage("Totals have not been computed yet.")))
            .WithTags("Analytics").WithSummary("The dashboard's totals as last computed by the totals job")
            .Produces(StatusCodes.Status200OK).Produces<ApiMessage>(StatusCodes.Status404NotFound);

        api.MapRulesApi();
        api.MapSegmentsApi();
        api.MapAudiencesApi();
        api.MapAnalyticsApi();
        api.MapUploadsApi();
        return endpoints;
    }

    /// <summary>An enum value as the API writes it: snake_case (<c>NeverRun</c> is <c>never_run</c>).</summary>
    internal static string Snake(Enum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

internal sealed record MeDto(string? Name, string[] Roles);

/// <summary>A one-line answer: <c>{"message": "..."}</c>.</summary>
internal sealed record ApiMessage(string Message);

/// <summary>A page of a list: <c>{"items": [...], "total": 1, "page": 1, "pages": 1}</c>.</summary>
internal sealed record ApiPage<T>(
    IReadOnlyList<T> Items,
    int Total,
    int Page,
    int Pages);
