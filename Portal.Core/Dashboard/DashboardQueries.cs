using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Dashboard;

public sealed class DashboardQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The last computed totals, or null before the first recompute has finished.</summary>
    public async Task<DashboardTotals?> TotalsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.DashboardTotals.AsNoTracking().SingleOrDefaultAsync(t => t.Id == 1, cancellationToken);
    }

    public static IReadOnlyList<MonthlySpend> Monthly(DashboardTotals totals) =>
        JsonSerializer.Deserialize<List<MonthlySpend>>(totals.MonthlyJson) ?? [];
}
