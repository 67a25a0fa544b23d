using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Segments;

public sealed class SegmentQueriesTests : DatabaseTest
{
    [Fact]
    public async Task List_CombinedSegment_NamesItsRuleAndTheSegmentsItDependsOn()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (a, segmentA) = await RuleHost.SaveAsync(host, Draft("A"));
        var (b, segmentB) = await RuleHost.SaveAsync(host, Draft("B"));
        var (c, _) = await RuleHost.SaveAsync(host, Draft("C", And("root")) with { DependsOn = [b.Id, a.Id], Operation = SetOperation.Difference });

        var (items, total) = await host.Get<SegmentQueries>().ListAsync(null, SegmentQueries.ByName, 0, 10);

        Assert.Equal(3, total);
        var combined = items.Single(i => i.Segment.Name == "C");
        Assert.Equal((c.Id, "C", SetOperation.Difference), (combined.Rule.Id, combined.Rule.Name, combined.Rule.Operation));
        Assert.Equal([new SegmentRef(segmentB, "B", b.Id), new SegmentRef(segmentA, "A", a.Id)], combined.DependsOn);
        Assert.Empty(items.Single(i => i.Segment.Name == "A").DependsOn);
    }

    [Fact]
    public async Task History_SortedByAColumn_OrdersInTheDatabaseTiesNewestFirst()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (_, segment) = await RuleHost.SaveAsync(host, Draft("A"));
        var day = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var db = await host.DbAsync())
        {
            // Refreshes on days 1 to 4: rows 30, 10, none (failed), 10; durations 5, 9, 1, 7 ms.
            db.SegmentRefreshes.AddRange(
                new SegmentRefresh { SegmentId = segment, StartedAt = day.AddDays(1), Succeeded = true, RowCount = 30, DurationMs = 5 },
                new SegmentRefresh { SegmentId = segment, StartedAt = day.AddDays(2), Succeeded = true, RowCount = 10, DurationMs = 9 },
                new SegmentRefresh { SegmentId = segment, StartedAt = day.AddDays(3), Succeeded = false, DurationMs = 1, Error = "boom" },
                new SegmentRefresh { SegmentId = segment, StartedAt = day.AddDays(4), Succeeded = true, RowCount = 10, DurationMs = 7 });
            await db.SaveChangesAsync();
        }

        var queries = host.Get<SegmentQueries>();
        async Task<List<int>> Days(RefreshHistorySortField field, bool descending, int skip = 0, int take = 10) =>
            [.. (await queries.HistoryAsync(segment, skip, take, new GridSort<RefreshHistorySortField>(field, descending))).Items.Select(h => (h.StartedAt - day).Days)];

        Assert.Equal([4, 3, 2, 1], (await queries.HistoryAsync(segment, 0, 10)).Items.Select(h => (h.StartedAt - day).Days));
        Assert.Equal([1, 2, 3, 4], await Days(RefreshHistorySortField.Started, false));
        Assert.Equal([2, 4, 1, 3], await Days(RefreshHistorySortField.Duration, true));
        Assert.Equal([1, 4], await Days(RefreshHistorySortField.Rows, true, 0, 2));
        Assert.Equal([3], await Days(RefreshHistorySortField.Result, false, 0, 1));
    }

    [Fact]
    public async Task List_SortedByRowsAndPaged_ReturnsTheRequestedPage()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        await SegmentData.AddCustomersAsync(host.Services, Enumerable.Range(1, 10).Select(i => (long)i));
        foreach (var (name, rows) in new[] { ("Small", 1), ("Large", 9), ("Medium", 5) })
        {
            var (_, segment) = await RuleHost.SaveAsync(host, Draft(name));
            await SegmentData.SetMembersAsync(host.Services, segment, Enumerable.Range(1, rows).Select(i => (long)i));
        }

        var queries = host.Get<SegmentQueries>();
        var (first, total) = await queries.ListAsync(null, new GridSort<SegmentSortField>(SegmentSortField.RowCount, true), 0, 2);
        var (second, _) = await queries.ListAsync(null, new GridSort<SegmentSortField>(SegmentSortField.RowCount, true), 1, 2);
        var (searched, found) = await queries.ListAsync("MED", SegmentQueries.ByName, 0, 10);

        Assert.Equal(3, total);
        Assert.Equal([("Large", 9L), ("Medium", 5L)], first.Select(i => (i.Segment.Name, i.Segment.RowCount)));
        Assert.Equal([("Small", 1L)], second.Select(i => (i.Segment.Name, i.Segment.RowCount)));
        Assert.Equal((1, "Medium"), (found, searched.Single().Segment.Name));
    }

    [Fact]
    public async Task Get_WithRefreshes_HasRuleSqlAndHistoryOldestFirstWithErrors()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (rule, segment) = await RuleHost.SaveAsync(host, Draft("History"));
        var day = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        await SegmentData.AddRefreshAsync(host.Services, segment, day.AddDays(2), null, "database is locked");
        await SegmentData.AddRefreshAsync(host.Services, segment, day, 10);
        await SegmentData.AddRefreshAsync(host.Services, segment, day.AddDays(1), 12);
        await SegmentData.SetMembersAsync(host.Services, segment, [], day.AddDays(1), sql: "SELECT u.user_id FROM users u WHERE u.city_tier = @p0");

        var detail = await host.Get<SegmentQueries>().GetAsync(segment);

        Assert.NotNull(detail);
        Assert.Equal((rule.Id, "History"), (detail.Rule.Id, detail.Rule.Name));
        Assert.Equal("SELECT u.user_id FROM users u WHERE u.city_tier = @p0", detail.Segment.SqlQuery);
        Assert.Equal([(day, 10L, true, null), (day.AddDays(1), 12L, true, null), (day.AddDays(2), (long?)null, false, "database is locked")],
            detail.History.Select(h => (h.StartedAt, h.RowCount, h.Succeeded, h.Error)));
    }

    [Fact]
    public async Task Get_UnknownId_IsNull()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        Assert.Null(await host.Get<SegmentQueries>().GetAsync(404));
    }

    [Fact]
    public async Task Sample_MoreMembersThanTheLimit_ReturnsTheLowestUserIdsWithTheirDetails()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        await SegmentData.AddCustomersAsync(host.Services, Enumerable.Range(1, 130).Select(i => (long)i));
        var (_, segment) = await RuleHost.SaveAsync(host, Draft("Big"));
        var (_, other) = await RuleHost.SaveAsync(host, Draft("Other"));
        await SegmentData.SetMembersAsync(host.Services, segment, Enumerable.Range(5, 120).Select(i => (long)i).Reverse());
        await SegmentData.SetMembersAsync(host.Services, other, [1, 2, 3]);

        var sample = await host.Get<SegmentQueries>().SampleAsync(segment);

        Assert.Equal(SegmentQueries.SampleSize, sample.Count);
        Assert.Equal(Enumerable.Range(5, 100).Select(i => (long)i), sample.Select(s => s.UserId));
        Assert.Equal(new SegmentSampleRow(6, "Customer 6", "customer6@example.com", "Bengaluru", 1), sample[1]);
    }

    [Fact]
    public async Task Overlap_TwoSegments_CountsBothAndEachOnly()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        await SegmentData.AddCustomersAsync(host.Services, Enumerable.Range(1, 20).Select(i => (long)i));
        var (_, a) = await RuleHost.SaveAsync(host, Draft("A"));
        var (_, b) = await RuleHost.SaveAsync(host, Draft("B"));
        var (_, c) = await RuleHost.SaveAsync(host, Draft("C"));
        await SegmentData.SetMembersAsync(host.Services, a, Enumerable.Range(1, 10).Select(i => (long)i));
        await SegmentData.SetMembersAsync(host.Services, b, Enumerable.Range(7, 10).Select(i => (long)i));
        await SegmentData.SetMembersAsync(host.Services, c, [1, 20]);

        var queries = host.Get<SegmentQueries>();
        var ab = await queries.OverlapAsync(a, b);
        var ba = await queries.OverlapAsync(b, a);
        var aa = await queries.OverlapAsync(a, a);

        Assert.Equal(new SegmentOverlap(a, b, Both: 4, OnlyA: 6, OnlyB: 6), ab);
        Assert.Equal((10, 10), (ab!.CountA, ab.CountB));
        Assert.Equal(new SegmentOverlap(b, a, 4, 6, 6), ba);
        Assert.Equal(new SegmentOverlap(a, a, 10, 0, 0), aa);
    }

    [Fact]
    public async Task Overlap_EmptyOrMissingSegment_CountsNothingOrIsNull()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        await SegmentData.AddCustomersAsync(host.Services, [1, 2]);
        var (_, a) = await RuleHost.SaveAsync(host, Draft("A"));
        var (_, empty) = await RuleHost.SaveAsync(host, Draft("Empty"));
        await SegmentData.SetMembersAsync(host.Services, a, [1, 2]);

        var queries = host.Get<SegmentQueries>();

        Assert.Equal(new SegmentOverlap(a, empty, 0, 2, 0), await queries.OverlapAsync(a, empty));
        Assert.Equal(new SegmentOverlap(a, 999, 0, 2, 0), await queries.OverlapAsync(a, 999));
        Assert.Null(await queries.OverlapAsync(999, a));
    }

    [Fact]
    public async Task All_Segments_AreListedByName()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var (b, segmentB) = await RuleHost.SaveAsync(host, Draft("B"));
        var (a, segmentA) = await RuleHost.SaveAsync(host, Draft("A"));

        Assert.Equal([new SegmentRef(segmentA, "A", a.Id), new SegmentRef(segmentB, "B", b.Id)], await host.Get<SegmentQueries>().AllAsync());
    }

    [Fact]
    public void SampleAndOverlap_OnSqlServer_AreSetBasedWithParameters()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.Use(DatabaseProvider.SqlServer, "Server=unreachable.invalid;Database=Portal;User Id=x;Password=y;TrustServerCertificate=true");
        using var db = new PortalDbContext(options.Options);

        var sample = SegmentQueries.SampleQuery(db, 987654, 100).ToQueryString();
        var overlap = SegmentQueries.OverlapQuery(db, 987654, 876543).ToQueryString();

        Assert.Contains("TOP(@", sample, StringComparison.Ordinal);
        Assert.Contains("INNER JOIN [users]", sample, StringComparison.Ordinal);
        Assert.Contains("EXISTS", overlap, StringComparison.Ordinal);
        Assert.Contains("COUNT_BIG(*)", overlap, StringComparison.Ordinal);
        foreach (var sql in new[] { sample, overlap })
        {
            // ToQueryString declares the parameters first; the statement itself names only parameters.
            var statement = sql[sql.IndexOf("SELECT", StringComparison.Ordinal)..];
            Assert.DoesNotContain("987654", statement, StringComparison.Ordinal);
            Assert.DoesNotContain("876543", statement, StringComparison.Ordinal);
            Assert.Contains("[segment_members]", sql, StringComparison.Ordinal);
        }
    }
}
