using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Customers;
using Portal.Core.Dashboard;
using Portal.Core.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Api;

public sealed class AnalyticsApiTests(PortalWebFactory portal) : IClassFixture<PortalWebFactory>
{
    [Fact]
    public async Task Summary_BeforeAndAfterTheTotalsJob_CountsCustomersTransactionsAndSpend()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);
        await SegmentData.AddCustomersAsync(portal.Services, [1, 2, 3]);
        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var day = new DateTime(2025, 2, 3, 10, 0, 0, DateTimeKind.Utc);
            db.CreditCardTransactions.AddRange(
                new CreditCardTransaction { TransactionId = 1, UserId = 1, Amount = 100.25m, Merchant = "IndiGo", Category = "Travel", TransactionDate = day },
                new CreditCardTransaction { TransactionId = 2, UserId = 2, Amount = 50m, Merchant = "BigBasket", Category = "Groceries", TransactionDate = day });
            db.UpiTransactions.Add(new UpiTransaction { TransactionId = 1, UserId = 3, Amount = 9.5m, Description = "Chai", Category = "Food", TransactionDate = day });
            await db.SaveChangesAsync();
        }

        var live = await client.GetFromJsonAsync<JsonElement>("/api/analytics/summary");

        Assert.Equal((3L, 3L, 159.75m), (live.GetProperty("total_users").GetInt64(), live.GetProperty("total_transactions").GetInt64(), live.GetProperty("total_spend").GetDecimal()));
        Assert.Equal(JsonValueKind.Null, live.GetProperty("computed_at").ValueKind);

        var marketer = await portal.SignedInClientAsync(Roles.Marketer);
        var queued = await marketer.PostAsJsonAsync("/api/jobs", new { kind = RecomputeDashboardTotalsJob.Kind });
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement computed;
        do
        {
            await Task.Delay(50);
            computed = await client.GetFromJsonAsync<JsonElement>("/api/analytics/summary");
        }
        while (computed.GetProperty("computed_at").ValueKind == JsonValueKind.Null && DateTime.UtcNow < deadline);

        Assert.Equal(JsonValueKind.String, computed.GetProperty("computed_at").ValueKind);
        Assert.Equal((3L, 3L, 159.75m), (computed.GetProperty("total_users").GetInt64(), computed.GetProperty("total_transactions").GetInt64(), computed.GetProperty("total_spend").GetDecimal()));
    }
}
