using Portal.Core.Adtech;
using Portal.Core.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

public sealed class ExportRunQueriesTests : DatabaseTest
{
    private static ExportRun Run(string audience, string adtech, ExportRunStatus status, long durationMs = 0, long? members = null, long? matched = null) => new()
    {
        DurationMs = durationMs,
        Members = members,
        MatchedLow = matched,
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
    public async Task ListAsync_SortedByAColumn_OrdersInTheDatabaseTiesNewestFirst()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using (var db = await host.DbAsync())
        {
            // Match rates 50 %, 90 %, 20 %, 90 %: by matched members alone the order would differ.
            db.ExportRuns.AddRange(
                Run("c", "adtechA", ExportRunStatus.Succeeded, 300, 1_000, 500),
                Run("a", "meta", ExportRunStatus.Succeeded, 100, 100, 90),
                Run("b", "adtechB", ExportRunStatus.Failed, 200, 10_000, 2_000),
                Run("a", "adtechB", ExportRunStatus.Succeeded, 100, 10, 9));
            await db.SaveChangesAsync();
        }

        var queries = host.Get<ExportRunQueries>();
        async Task<List<(string, string)>> Listed(ExportRunSortField field, bool descending, int skip = 0, int take = 10) =>
            [.. (await queries.ListAsync(null, skip, take, new GridSort<ExportRunSortField>(field, descending))).Items.Select(r => (r.Audience, r.AdtechKey))];

        Assert.Equal([("a", "adtechB"), ("a", "meta"), ("b", "adtechB"), ("c", "adtechA")], await Listed(ExportRunSortField.Duration, false));
        Assert.Equal([("c", "adtechA"), ("b", "adtechB"), ("a", "adtechB"), ("a", "meta")], await Listed(ExportRunSortField.Audience, true));
        Assert.Equal([("a", "adtechB"), ("a", "meta"), ("c", "adtechA"), ("b", "adtechB")], await Listed(ExportRunSortField.MatchRate, true));
        Assert.Equal([("c", "adtechA"), ("b", "adtechB")], await Listed(ExportRunSortField.Duration, true, 0, 2));
        Assert.Equal([("a", "adtechB"), ("a", "meta")], await Listed(ExportRunSortField.Duration, true, 2, 2));
        Assert.Equal(("a", "adtechB"), (await queries.ListAsync(null, 0, 1)).Items.Select(r => (r.Audience, r.AdtechKey)).Single());
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

    [Fact]
    public async Task SyncSummariesAsync_RunsOfSeveralAudiences_SumInTheDatabaseWhatByAdtechSumsInMemory()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using (var db = await host.DbAsync())
        {
            db.ExportRuns.AddRange(
                Web.Components.Segments.SegmentDetailPageTests.Run(1, "adtechB", "Synced", 500, 500, ExportRunStatus.Succeeded, audience: "a"),
                Web.Components.Segments.SegmentDetailPageTests.Run(2, "adtechB", "Synced", 10, 3, ExportRunStatus.Succeeded, members: 100, matched: 60, audience: "a"),
                Web.Components.Segments.SegmentDetailPageTests.Run(3, "adtechB", "Synced", 1_200, 7, ExportRunStatus.Succeeded, members: 300, matched: 90, audience: "b"),
                Web.Components.Segments.SegmentDetailPageTests.Run(4, "adtechA", "NoChange", 0, 0, ExportRunStatus.Succeeded, audience: "a"),
                Web.Components.Segments.SegmentDetailPageTests.Run(5, "adtechA", null, 40, 0, ExportRunStatus.Succeeded, audience: "c"),
                Web.Components.Segments.SegmentDetailPageTests.Run(6, "meta", null, 70, 0, ExportRunStatus.Failed, audience: "c"));
            await db.SaveChangesAsync();
        }

        var queries = host.Get<ExportRunQueries>();
        var expected = AdtechSyncSummary.ByAdtech(await queries.LatestPerAudienceAndAdtechAsync());

        var summaries = await queries.SyncSummariesAsync();

        Assert.Equal(["adtechA", "adtechB", "meta"], summaries.Keys.Order());
        foreach (var (key, want) in expected)
        {
            var got = summaries[key];
            Assert.Equal((want.Audiences, want.Last.Id, want.Added, want.Removed, want.MatchedLow, want.MatchedHigh, want.Members),
                (got.Audiences, got.Last.Id, got.Added, got.Removed, got.MatchedLow, got.MatchedHigh, got.Members));
        }

        Assert.Equal((2, 1_210L, 150L, 400L), (summaries["adtechB"].Audiences, summaries["adtechB"].Added, summaries["adtechB"].MatchedLow ?? 0, summaries["adtechB"].Members ?? 0));
    }
}
