using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Core.Dashboard;

/// <summary>
/// The demo job: recomputes the dashboard's totals (customers, transactions, spend) month by month, so its progress
/// can be watched. At ten million transactions this is tens of seconds of real work.
/// </summary>
public sealed class RecomputeDashboardTotalsJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock) : IJobHandler
{
    public const string Kind = "dashboard.recompute";
    public const string DisplayName = "Recompute dashboard totals";

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = await db.Customers.LongCountAsync(cancellationToken);
        var first = await FirstDateAsync(db, cancellationToken);
        var last = await LastDateAsync(db, cancellationToken);
        var months = new List<DateTime>();
        if (first is { } f && last is { } l)
        {
            for (var m = new DateTime(f.Year, f.Month, 1, 0, 0, 0, DateTimeKind.Utc); m <= l; m = m.AddMonths(1))
            {
                months.Add(m);
            }
        }

        var total = 1 + months.Count;
        await job.ReportAsync(1, total, $"Counted {users:N0} customers", cancellationToken);
        var monthly = new List<MonthlySpend>(months.Count);
        long ccCount = 0, upiCount = 0;
        decimal ccSpend = 0, upiSpend = 0;
        for (var i = 0; i < months.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var from = months[i];
            var to = from.AddMonths(1);
            var cc = await db.Database.SqlQuery<Aggregate>($"SELECT COUNT(*) AS \"Count\", CAST(COALESCE(SUM(amount), 0) AS FLOAT) AS \"Total\" FROM credit_card_transactions WHERE transaction_date >= {from} AND transaction_date < {to}")
                .SingleAsync(cancellationToken);
            var upi = await db.Database.SqlQuery<Aggregate>($"SELECT COUNT(*) AS \"Count\", CAST(COALESCE(SUM(amount), 0) AS FLOAT) AS \"Total\" FROM upi_transactions WHERE transaction_date >= {from} AND transaction_date < {to}")
                .SingleAsync(cancellationToken);
            ccCount += cc.Count;
            upiCount += upi.Count;
            ccSpend += Math.Round((decimal)cc.Total, 2);
            upiSpend += Math.Round((decimal)upi.Total, 2);
            monthly.Add(new MonthlySpend(from.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
                Math.Round((decimal)cc.Total, 2), Math.Round((decimal)upi.Total, 2), cc.Count + upi.Count));
            await job.ReportAsync(2 + i, total, $"Summed {from:MMM yyyy}", cancellationToken);
        }

        var categories = (await db.Database.SqlQuery<CategoryAggregate>(
                $"SELECT category AS \"Category\", COUNT(*) AS \"Count\", CAST(COALESCE(SUM(amount), 0) AS FLOAT) AS \"Total\" FROM credit_card_transactions GROUP BY category")
                .ToListAsync(cancellationToken))
            .Concat(await db.Database.SqlQuery<CategoryAggregate>(
                $"SELECT category AS \"Category\", COUNT(*) AS \"Count\", CAST(COALESCE(SUM(amount), 0) AS FLOAT) AS \"Total\" FROM upi_transactions GROUP BY category")
                .ToListAsync(cancellationToken))
            .GroupBy(c => c.Category)
            .Select(g => new CategorySpend(g.Key, Math.Round((decimal)g.Sum(c => c.Total), 2), g.Sum(c => c.Count)))
            .OrderByDescending(c => c.Spend)
            .ToList();
        var totals = new DashboardTotals
        {
            CategoriesJson = JsonSerializer.Serialize(categories),
            Id = 1,
            Users = users,
            CreditCardTransactions = ccCount,
            UpiTransactions = upiCount,
            CreditCardSpend = ccSpend,
            UpiSpend = upiSpend,
            MonthlyJson = JsonSerializer.Serialize(monthly),
            ComputedAt = clock.GetUtcNow().UtcDateTime,
        };
        await SaveAsync(totals, cancellationToken);
        await job.ReportAsync(total, total, $"Totals for {users:N0} customers and {ccCount + upiCount:N0} transactions", cancellationToken);
    }

    /// <summary>Update-or-insert of the single totals row; two runs finishing together both succeed, the last one wins.</summary>
    private async Task SaveAsync(DashboardTotals totals, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var updated = await db.DashboardTotals.Where(t => t.Id == totals.Id).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Users, totals.Users)
                .SetProperty(t => t.CreditCardTransactions, totals.CreditCardTransactions)
                .SetProperty(t => t.UpiTransactions, totals.UpiTransactions)
                .SetProperty(t => t.CreditCardSpend, totals.CreditCardSpend)
                .SetProperty(t => t.UpiSpend, totals.UpiSpend)
                .SetProperty(t => t.MonthlyJson, totals.MonthlyJson)
                .SetProperty(t => t.CategoriesJson, totals.CategoriesJson)
                .SetProperty(t => t.ComputedAt, totals.ComputedAt), cancellationToken);
            if (updated > 0)
            {
                return;
            }

            db.DashboardTotals.Add(totals);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // another run inserted the row between our update and insert: update it instead
            }
        }
    }

    private static async Task<DateTime?> FirstDateAsync(PortalDbContext db, CancellationToken ct)
    {
        var cc = await db.CreditCardTransactions.MinAsync(t => (DateTime?)t.TransactionDate, ct);
        var upi = await db.UpiTransactions.MinAsync(t => (DateTime?)t.TransactionDate, ct);
        return cc is null ? upi : upi is null ? cc : (cc < upi ? cc : upi);
    }

    private static async Task<DateTime?> LastDateAsync(PortalDbContext db, CancellationToken ct)
    {
        var cc = await db.CreditCardTransactions.MaxAsync(t => (DateTime?)t.TransactionDate, ct);
        var upi = await db.UpiTransactions.MaxAsync(t => (DateTime?)t.TransactionDate, ct);
        return cc is null ? upi : upi is null ? cc : (cc > upi ? cc : upi);
    }

    private sealed record Aggregate(long Count, double Total);

    private sealed record CategoryAggregate(string Category, long Count, double Total);
}
