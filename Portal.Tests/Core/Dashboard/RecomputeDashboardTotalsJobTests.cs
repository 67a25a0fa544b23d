using Microsoft.EntityFrameworkCore;
using Portal.Core.Customers;
using Portal.Core.Dashboard;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Dashboard;

public sealed class RecomputeDashboardTotalsJobTests : DatabaseTest
{
    [Fact]
    public async Task Run_AfterLoad_TotalsMatchTheTablesAndMonthsAddUp()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.Get<CustomerDataLoader>().LoadAsync(DemoDates.Generator(), 400, 8000);
        var job = await host.Get<JobQueue>().EnqueueAsync(RecomputeDashboardTotalsJob.Kind, CoreHost.Admin);
        await host.WaitForJobAsync(job.Id, j => j.Status == JobStatus.Succeeded, "succeeded");

        var totals = await host.Get<DashboardQueries>().TotalsAsync();
        Assert.NotNull(totals);
        await using var db = await host.DbAsync();
        var card = await db.CreditCardTransactions.Select(t => t.Amount).ToListAsync();
        var upi = await db.UpiTransactions.Select(t => t.Amount).ToListAsync();
        Assert.Equal(400, totals.Users);
        Assert.Equal(card.Count, totals.CreditCardTransactions);
        Assert.Equal(upi.Count, totals.UpiTransactions);
        Assert.Equal(card.Sum(), totals.CreditCardSpend, 0);
        Assert.Equal(upi.Sum(), totals.UpiSpend, 0);
        var monthly = DashboardQueries.Monthly(totals);
        Assert.InRange(monthly.Count, 24, 25);
        Assert.Equal(totals.Transactions, monthly.Sum(m => m.Count));
        Assert.Equal(monthly.Count + 1, (await host.JobAsync(job.Id)).ProgressTotal);

        var categories = DashboardQueries.Categories(totals);
        var expected = (await db.CreditCardTransactions.Select(t => new { t.Category, t.Amount }).ToListAsync())
            .Concat(await db.UpiTransactions.Select(t => new { t.Category, t.Amount }).ToListAsync())
            .GroupBy(t => t.Category).ToDictionary(g => g.Key, g => (Spend: g.Sum(t => t.Amount), Count: g.LongCount()));
        Assert.Equal(expected.Keys.Order(), categories.Select(c => c.Category).Order());
        Assert.All(categories, c =>
        {
            Assert.Equal(expected[c.Category].Count, c.Count);
            Assert.Equal(expected[c.Category].Spend, c.Spend, 0);
        });
        Assert.Equal(categories.Select(c => c.Spend).OrderDescending(), categories.Select(c => c.Spend));
    }
}
