using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Dashboard;

namespace Portal.Api;

/// <summary>The analytics API: the dashboard's totals.</summary>
internal static class AnalyticsApi
{
    public static RouteGroupBuilder MapAnalyticsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/analytics/summary", SummaryAsync)
            .WithTags("Analytics")
            .WithSummary("Customers, transactions and total spend")
            .WithDescription("The totals job's figures once it has run (`computed_at` says when); counted on the spot before that (`computed_at` null).");
        return api;
    }

    private static async Task<Ok<AnalyticsSummaryDto>> SummaryAsync(DashboardQueries dashboard, CancellationToken cancellationToken)
    {
        var summary = await dashboard.SummaryAsync(cancellationToken);
        return TypedResults.Ok(new AnalyticsSummaryDto(summary.TotalUsers, summary.TotalTransactions, summary.TotalSpend, summary.ComputedAt));
    }
}

internal sealed record AnalyticsSummaryDto(
    long TotalUsers,
    long TotalTransactions,
    decimal TotalSpend,
    DateTime? ComputedAt);
