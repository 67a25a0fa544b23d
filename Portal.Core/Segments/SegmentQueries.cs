using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Rules;

namespace Portal.Core.Segments;

public enum SegmentSortField
{
    Name,
    RowCount,
    LastRefreshed,
    Status,
}

/// <summary>A segment named for links and pickers.</summary>
public sealed record SegmentRef(long Id, string Name, long RuleId);

/// <summary>A row of the Segments grid: the segment, the rule that makes it, and the segments it combines (in order).</summary>
public sealed record SegmentOverview(Segment Segment, Rule Rule, IReadOnlyList<SegmentRef> DependsOn);

/// <summary>One refresh in the size history (oldest first), with its error when it failed.</summary>
public sealed record SegmentHistoryPoint(long Id, long? JobId, DateTime StartedAt, DateTime? FinishedAt, bool Succeeded, long? RowCount, long? DurationMs, string? Error);

/// <summary>The segment detail page: metadata, the rule that makes it, the SQL last run, and the refresh history.</summary>
public sealed record SegmentDetail(Segment Segment, Rule Rule, IReadOnlyList<SegmentRef> DependsOn, IReadOnlyList<SegmentHistoryPoint> History);

/// <summary>A member as the sample shows it.</summary>
public sealed record SegmentSampleRow(long UserId, string Name, string Email, string City, int CityTier);

/// <summary>How two segments' members overlap: in both, only in the first, only in the second.</summary>
public sealed record SegmentOverlap(long SegmentA, long SegmentB, long Both, long OnlyA, long OnlyB)
{
    public long CountA => Both + OnlyA;
    public long CountB => Both + OnlyB;
}

/// <summary>
/// Reads for the Segments pages and the API. Everything is computed in the database (LINQ to EF, so the SQL is
/// parameterized and fits SQLite and SQL Server alike); member rows never pass through the app except the sample.
/// </summary>
public sealed class SegmentQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>Segments by name, A to Z: the grid's and the API's order.</summary>
    public static readonly GridSort<SegmentSortField> ByName = new(SegmentSortField.Name, false);

    public const int SampleSize = 100;
    public const int HistorySize = 100;

    public static readonly IReadOnlyList<string> SampleColumns = ["user_id", "name", "email", "city", "city_tier"];

    public async Task<(IReadOnlyList<SegmentOverview> Items, int Total)> ListAsync(string? search, GridSort<SegmentSortField> sort, int page, int pageSize,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query =
            from s in db.Segments.AsNoTracking()
            join r in db.Rules.AsNoTracking() on s.RuleId equals r.Id
            select new { Segment = s, Rule = r };
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLower();
            query = query.Where(x => x.Segment.Name.ToLower().Contains(term) || (x.Segment.Description != null && x.Segment.Description.ToLower().Contains(term)));
        }

        var total = await query.CountAsync(cancellationToken);
        query = sort.Field switch
        {
            SegmentSortField.RowCount => query.SortBy(x => x.Segment.RowCount, sort.Descending).ThenBy(x => x.Segment.Name),
            SegmentSortField.LastRefreshed => query.SortBy(x => x.Segment.LastRefreshedAt, sort.Descending).ThenBy(x => x.Segment.Name),
            SegmentSortField.Status => query.SortBy(x => x.Segment.Status, sort.Descending).ThenBy(x => x.Segment.Name),
            _ => query.SortBy(x => x.Segment.Name, sort.Descending),
        };
        var rows = await query.Skip(Math.Max(0, page) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var parents = await SegmentsOfRulesAsync(db, rows.SelectMany(x => x.Rule.DependsOn), cancellationToken);
        var items = rows.Select(x => new SegmentOverview(x.Segment, x.Rule, Refs(x.Rule.DependsOn, parents))).ToList();
        return (items, total);
    }

    /// <summary>Every segment, by name (for pickers such as the overlap view and segment conditions).</summary>
    public async Task<IReadOnlyList<SegmentRef>> AllAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Segments.AsNoTracking().OrderBy(s => s.Name).Select(s => new SegmentRef(s.Id, s.Name, s.RuleId)).ToListAsync(cancellationToken);
    }

    public async Task<SegmentDetail?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await (
            from s in db.Segments.AsNoTracking()
            join r in db.Rules.AsNoTracking() on s.RuleId equals r.Id
            where s.Id == id
            select new { Segment = s, Rule = r }).SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        var parents = await SegmentsOfRulesAsync(db, row.Rule.DependsOn, cancellationToken);
        var history = await History(db, id, Newest).Take(HistorySize).ToListAsync(cancellationToken);
        history.Reverse();
        return new SegmentDetail(row.Segment, row.Rule, Refs(row.Rule.DependsOn, parents), history);
    }

    /// <summary>
    /// A segment's refreshes, sorted (newest first unless <paramref name="sort"/> says otherwise; ties newest first), a
    /// page at a time, with the total.
    /// </summary>
    public async Task<(IReadOnlyList<SegmentHistoryPoint> Items, int Total)> HistoryAsync(long segmentId, int skip, int take, GridSort<RefreshHistorySortField>? sort = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var total = await db.SegmentRefreshes.CountAsync(h => h.SegmentId == segmentId, cancellationToken);
        var items = await History(db, segmentId, sort ?? Newest).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 0, 500)).ToListAsync(cancellationToken);
        return (items, total);
    }

    private static readonly GridSort<RefreshHistorySortField> Newest = new(RefreshHistorySortField.Started, Descending: true);

    /// <summary>A segment's refreshes as history points, sorted (the detail's chart takes the newest; the history grid pages through them).</summary>
    private static IQueryable<SegmentHistoryPoint> History(PortalDbContext db, long segmentId, GridSort<RefreshHistorySortField> sort)
    {
        var query = db.SegmentRefreshes.AsNoTracking().Where(h => h.SegmentId == segmentId);
        var d = sort.Descending;
        // Missing values (a failed refresh's rows) sort as the lowest on every provider (SQLite and PostgreSQL put NULLs at opposite ends).
        var sorted = sort.Field switch
        {
            RefreshHistorySortField.Result => query.SortBy(h => h.Succeeded, d).ThenByDescending(h => h.StartedAt).ThenByDescending(h => h.Id),
            RefreshHistorySortField.Rows => query.SortBy(h => h.RowCount ?? -1, d).ThenByDescending(h => h.StartedAt).ThenByDescending(h => h.Id),
            RefreshHistorySortField.Duration => query.SortBy(h => h.DurationMs ?? -1, d).ThenByDescending(h => h.StartedAt).ThenByDescending(h => h.Id),
            _ => query.SortBy(h => h.StartedAt, d).ThenSortBy(h => h.Id, d),
        };
        return sorted.Select(h => new SegmentHistoryPoint(h.Id, h.JobId, h.StartedAt, h.FinishedAt, h.Succeeded, h.RowCount, h.DurationMs, h.Error));
    }

    /// <summary>The segment of a rule, or null.</summary>
    public async Task<long?> IdOfRuleAsync(long ruleId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Segments.Where(s => s.RuleId == ruleId).Select(s => (long?)s.Id).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Up to <paramref name="count"/> members (lowest user ids first) with their name, email and city.</summary>
    public async Task<IReadOnlyList<SegmentSampleRow>> SampleAsync(long segmentId, int count = SampleSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await SampleQuery(db, segmentId, Math.Clamp(count, 0, 1000)).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Counts of A∩B, A−B and B−A, in one statement (one consistent read, even while a refresh replaces members);
    /// null when there is no segment A.
    /// </summary>
    public async Task<SegmentOverlap?> OverlapAsync(long segmentA, long segmentB, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = await OverlapQuery(db, segmentA, segmentB).SingleOrDefaultAsync(cancellationToken);
        return counts is null ? null : new SegmentOverlap(segmentA, segmentB, counts.Both, counts.OnlyA, counts.OnlyB);
    }

    internal static IQueryable<SegmentSampleRow> SampleQuery(PortalDbContext db, long segmentId, int count) =>
        (from m in db.SegmentMembers
         join c in db.Customers on m.UserId equals c.UserId
         where m.SegmentId == segmentId
         orderby m.UserId
         select new SegmentSampleRow(c.UserId, c.Name, c.Email, c.City, c.CityTier)).Take(count);

    internal sealed record OverlapCounts(long Both, long OnlyA, long OnlyB);

    /// <summary>
    /// One row of three scalar subqueries over <c>segment_members</c> (semi- and anti-joins on the primary key
    /// (segment_id, user_id)), from the one-row segment_catalog entry of A.
    /// </summary>
    internal static IQueryable<OverlapCounts> OverlapQuery(PortalDbContext db, long a, long b) =>
        db.Segments.Where(s => s.Id == a).Select(_ => new OverlapCounts(
            db.SegmentMembers.LongCount(m => m.SegmentId == a && db.SegmentMembers.Any(n => n.SegmentId == b && n.UserId == m.UserId)),
            db.SegmentMembers.LongCount(m => m.SegmentId == a && !db.SegmentMembers.Any(n => n.SegmentId == b && n.UserId == m.UserId)),
            db.SegmentMembers.LongCount(m => m.SegmentId == b && !db.SegmentMembers.Any(n => n.SegmentId == a && n.UserId == m.UserId))));

    private static async Task<Dictionary<long, SegmentRef>> SegmentsOfRulesAsync(PortalDbContext db, IEnumerable<long> ruleIds, CancellationToken cancellationToken)
    {
        var ids = ruleIds.Distinct().ToList();
        return ids.Count == 0
            ? []
            : await db.Segments.AsNoTracking().Where(s => ids.Contains(s.RuleId)).Select(s => new SegmentRef(s.Id, s.Name, s.RuleId))
                .ToDictionaryAsync(s => s.RuleId, cancellationToken);
    }

    private static List<SegmentRef> Refs(IEnumerable<long> ruleIds, Dictionary<long, SegmentRef> segmentsByRule) =>
        ruleIds.Select(r => segmentsByRule.GetValueOrDefault(r)).OfType<SegmentRef>().ToList();
}
