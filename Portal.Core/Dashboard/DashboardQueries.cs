using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Dashboard;

/// <summary>The analytics summary (the dashboard and <c>/api/analytics/summary</c>); <see cref="ComputedAt"/> is when the totals job computed it, null when counted just now.</summary>
public sealed record AnalyticsSummary(long TotalUsers, long TotalTransactions, decimal TotalSpend, DateTime? ComputedAt);

public sealed class DashboardQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>
    /// Customers, transactions and spend: the totals job's figures once it has run (counting ten million rows takes
    /// seconds), counted in the database before that.
    /// </summary>
    public async Task<AnalyticsSummary> SummaryAsync(CancellationToken cancellationToken = default)
    {
        if (await TotalsAsync(cancellationToken) is { } totals)
        {
            return new AnalyticsSummary(totals.Users, totals.Transactions, totals.TotalSpend, totals.ComputedAt);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var live = await db.Database.SqlQuery<LiveSummary>($"""
            SELECT (SELECT COUNT(*) FROM users) AS "Users",
                   (SELECT COUNT(*) FROM credit_card_transactions) + (SELECT COUNT(*) FROM upi_transactions) AS "Transactions",
                   CAST(COALESCE((SELECT SUM(amount) FROM credit_card_transactions), 0) + COALESCE((SELECT SUM(amount) FROM upi_transactions), 0) AS FLOAT) AS "Spend"
            """).SingleAsync(cancellationToken);
        return new AnalyticsSummary(live.Users, live.Transactions, Math.Round((decimal)live.Spend, 2), null);
    }

    /// <summary>The last computed totals, or null before the first recompute has finished.</summary>
    public async Task<DashboardTotals?> TotalsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.DashboardTotals.AsNoTracking().SingleOrDefaultAsync(t => t.Id == 1, cancellationToken);
    }

    public static IReadOnlyList<MonthlySpend> Monthly(DashboardTotals totals) =>
        JsonSerializer.Deserialize<List<MonthlySpend>>(totals.MonthlyJson) ?? [];

    public static IReadOnlyList<CategorySpend> Categories(DashboardTotals totals) =>
        JsonSerializer.Deserialize<List<CategorySpend>>(totals.CategoriesJson) ?? [];

    private sealed record LiveSummary(long Users, long Transactions, double Spend);
}
