using Portal.Core.Adtech;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

public sealed class ExportRunQueriesTests : DatabaseTest
{
    private static ExportRun Run(string audience, string adtech, ExportRunStatus status) => new()
    {
        Audience = audience,
        AdtechKey = adtech,
        ExportKey = Guid.NewGuid().ToString("N"),
        Status = status,
        StartedUtc = new DateTime(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc),
        BatchSize = 10_000,
    };

    private static async Task SeedAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        db.ExportRuns.AddRange(
            Run("a", "adtechA", ExportRunStatus.Failed),
            Run("b", "adtechA", ExportRunStatus.Succeeded),
            Run("a", "adtechA", ExportRunStatus.Succeeded),
            Run("a", "adtechB", ExportRunStatus.Running),
            Run("a", "googleAds", ExportRunStatus.Failed));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task ListAsync_OneAudience_NewestFirstAPageAtATimeWithTheTotal()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedAsync(host);
        var queries = host.Get<ExportRunQueries>();

        var (page, total) = await queries.ListAsync("a", 1, 2);

        Assert.Equal(4, total);
        Assert.Equal([("adtechB", ExportRunStatus.Running), ("adtechA", ExportRunStatus.Succeeded)], page.Select(r => (r.AdtechKey, r.Status)));
        Assert.Equal(5, (await queries.ListAsync(null, 0, 50)).Total);
        Assert.Empty((await queries.ListAsync("nobody", 0, 50)).Items);
    }

    [Fact]
    public async Task LatestByAdtechAsync_OneAudience_GivesItsNewestRunPerAdtech()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedAsync(host);

        var latest = await host.Get<ExportRunQueries>().LatestByAdtechAsync("a");

        Assert.Equal(["adtechA", "adtechB", "googleAds"], latest.Keys.Order());
        Assert.Equal(ExportRunStatus.Succeeded, latest["adtechA"].Status);
        Assert.Equal("a", (await host.Get<ExportRunQueries>().GetAsync(latest["adtechA"].Id))!.Audience);
    }
}
