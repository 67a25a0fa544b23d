using Microsoft.EntityFrameworkCore;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>Imported users and transactions land in the tables rules read: a rule counts and refreshes them.</summary>
public sealed class RulesSeeImportsTests : DatabaseTest
{
    [Fact]
    public async Task Rule_AfterUsersAndTransactionsImport_CountsAndRefreshesTheNewUsers()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var draft = RuleDraft.Empty("") with
        {
            Root = And("root",
                Attr("c1", RuleFields.City, ConditionOperator.Eq, "Testville"),
                Spend("c2", ConditionOperator.Gt, "1000", 30, TransactionSource.Both, "Travel")),
        };
        var estimator = host.Get<SegmentEstimator>();
        Assert.Equal(0, (await estimator.EstimateAsync(draft)).Total);

        await host.ImportedAsync("users", null, "new_users.csv", Csv(UsersHeader, User(900_001), User(900_002), User(900_003)));
        await host.ImportedAsync("credit_card_transactions", null, "cards.csv", Csv(CardHeader,
            Card(9_000_001, 900_001, 1500m), Card(9_000_002, 900_002, 600m), Card(9_000_003, 900_003, 999.99m, "Food")));
        await host.ImportedAsync("upi_transactions", null, "upi.csv", Csv(UpiHeader,
            "9000004,900002,700.00,Uploaded Rail,Travel,2026-10-12 09:30:00", "9000005,900003,5000.00,Uploaded Rail,Travel,2026-01-01 09:30:00"));

        var estimate = await estimator.EstimateAsync(draft);
        Assert.True(estimate.Ok, string.Join("; ", estimate.Issues));
        Assert.Equal(2, estimate.Total);
        Assert.Equal([900_001L, 900_002L], estimate.Preview.Select(p => p.UserId));
        Assert.Equal(("Uploaded 900001", "Testville", 1), (estimate.Preview[0].Name, estimate.Preview[0].City, estimate.Preview[0].CityTier));

        var rule = await host.SaveRuleAsync(draft with { Name = "Testville travellers", Schedule = null });
        var refresh = await host.RefreshRuleAsync(rule.Id);
        Assert.True(refresh.Target.Succeeded, refresh.Target.Error);
        Assert.Equal([900_001L, 900_002L], await host.MembersAsync((await host.SegmentOfAsync(rule.Id)).Id));
    }
    [Fact]
    public async Task Import_IntoACustomerTable_QueuesARecomputeThatCountsTheNewRows()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        long before;
        await using (var db = await host.DbAsync())
        {
            before = await db.Jobs.MaxAsync(j => (long?)j.Id) ?? 0; // after the start-up's own recompute, if any
        }

        await host.ImportedAsync("users", null, "more_users.csv", Csv(UsersHeader, User(910_001), User(910_002)));
        await host.ImportedAsync("impressions", "2024-Q1", "impressions.csv", Csv("banner_id,campaign_id", "1,100"));

        long recompute = 0;
        await host.WaitUntilAsync(async () =>
        {
            await using var db = await host.DbAsync();
            var ids = await db.Jobs.Where(j => j.Id > before && j.Kind == Portal.Core.Dashboard.RecomputeDashboardTotalsJob.Kind).Select(j => j.Id).ToListAsync();
            recompute = ids.SingleOrDefault();
            return ids.Count > 0;
        }, "a recompute to be queued");
        await host.WaitForJobAsync(recompute, j => j.Status == Portal.Core.Jobs.JobStatus.Succeeded, "the recompute");
        await using var read = await host.DbAsync();
        Assert.Equal(await read.Customers.LongCountAsync(), (await host.Get<Portal.Core.Dashboard.DashboardQueries>().TotalsAsync())!.Users);
        Assert.Contains("more_users.csv", (await host.JobAsync(recompute)).Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_IntoATableARuleReads_MarksItsFreshSegmentStaleAndLeavesTheOthers()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var cards = await host.SaveRuleAsync(Draft("Card spenders", And("root", Spend("c1", ConditionOperator.Gt, "100", 30, TransactionSource.CreditCard))) with { Schedule = null });
        var upi = await host.SaveRuleAsync(Draft("UPI spenders", And("root", Spend("c1", ConditionOperator.Gt, "100", 30, TransactionSource.Upi))) with { Schedule = null });
        Assert.True((await host.RefreshRuleAsync(cards.Id)).Target.Succeeded);
        Assert.True((await host.RefreshRuleAsync(upi.Id)).Target.Succeeded);

        await host.ImportedAsync("credit_card_transactions", null, "cards.csv", Csv(CardHeader, Card(9_100_001, 1, 150m)));

        var carded = await host.SegmentOfAsync(cards.Id);
        Assert.Equal(SegmentStatus.Stale, carded.Status);
        Assert.NotNull(carded.StaleSince);
        Assert.Equal(SegmentStatus.Fresh, (await host.SegmentOfAsync(upi.Id)).Status);
    }
}
