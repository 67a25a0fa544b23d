using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Portal.Core;
using Portal.Core.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Data;

public sealed class PortalInitializerTests : DatabaseTest
{
    [Fact]
    public async Task Start_UnknownProvider_ReportsFailedWithClearMessageAndKeepsRunning()
    {
        using var host = await StartAsync(new() { ["Database:Provider"] = "Oracle" });
        var status = host.Services.GetRequiredService<DatabaseStatus>();
        await WaitAsync(() => status.State != DatabaseState.Starting);
        Assert.Equal(DatabaseState.Failed, status.State);
        Assert.Contains("Database:Provider is 'Oracle'", status.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_UnreachableSqlServer_ReportsFailedWithServerNameAndRetries()
    {
        using var host = await StartAsync(new()
        {
            ["Database:Provider"] = "SqlServer",
            ["ConnectionStrings:SqlServer"] = "Server=127.0.0.1,1;Database=Portal;User Id=sa;Password=not-used-Secret1;Connect Timeout=2;TrustServerCertificate=true",
        });
        var status = host.Services.GetRequiredService<DatabaseStatus>();
        await WaitAsync(() => status.State != DatabaseState.Starting, 60);
        Assert.Equal(DatabaseState.Failed, status.State);
        Assert.Contains("Cannot reach the database (SQL Server 127.0.0.1,1, database Portal)", status.Message, StringComparison.Ordinal);
        Assert.Contains("Retrying every 30 seconds", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-used-Secret1", status.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_FreshSqliteWithDemoData_LoadsItQueuesTotalsAndSchedulesTotalsCatalogRunsDropFolderScansAndRetention()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true);
        await using var db = await host.DbAsync();
        Assert.Equal(500, db.Customers.Count());
        Assert.Equal(5000, db.CreditCardTransactions.Count() + db.UpiTransactions.Count());
        Assert.Contains(db.Jobs, j => j.Kind == Portal.Core.Dashboard.RecomputeDashboardTotalsJob.Kind);
        Assert.Equal(
            [Portal.Core.Audiences.CatalogRunJob.Kind, Portal.Core.Dashboard.RecomputeDashboardTotalsJob.Kind, Portal.Core.Maintenance.RetentionJob.Kind, Portal.Core.Uploads.DropFolderScanJob.Kind],
            db.JobSchedules.Select(s => s.Kind).OrderBy(k => k).ToList());
        Assert.Equal("0 * * * *", db.JobSchedules.Single(s => s.Kind == Portal.Core.Audiences.CatalogRunJob.Kind).Cron);
        Assert.Equal("*/5 * * * *", db.JobSchedules.Single(s => s.Kind == Portal.Core.Uploads.DropFolderScanJob.Kind).Cron);
        Assert.Equal("30 3 * * *", db.JobSchedules.Single(s => s.Kind == Portal.Core.Maintenance.RetentionJob.Kind).Cron);
    }

    [Fact]
    public async Task Start_DemoDataWithoutFixedEnd_TransactionsRunUpToTheClocksToday()
    {
        // A day far from the tests' fixed demo end, so that a constant end date in the portal cannot pass.
        var today = new DateTimeOffset(2031, 3, 17, 9, 30, 0, TimeSpan.Zero);
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddSingleton<TimeProvider>(new FixedClock(today)),
            new Dictionary<string, string?> { ["Database:DemoDataEnd"] = null }, seedDemoData: true);
        await using var db = await host.DbAsync();
        var dates = db.CreditCardTransactions.Select(t => t.TransactionDate).Concat(db.UpiTransactions.Select(t => t.TransactionDate)).ToList();
        Assert.InRange(dates.Max(), new DateTime(2031, 3, 10), new DateTime(2031, 3, 17));
        Assert.True(dates.Min() >= new DateTime(2029, 3, 17), $"earliest transaction {dates.Min():O} is more than two years back");
        Assert.Contains(dates, d => d >= new DateTime(2031, 2, 15));
    }

    private async Task<IHost> StartAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Folder.Path, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPortalCore(builder.Configuration, Folder.Path);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task WaitAsync(Func<bool> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for start-up to settle");
            await Task.Delay(25);
        }
    }
}
