using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Segments;

namespace Portal.Core.Rules;

public enum RuleSortField
{
    Name,
    Schedule,
    Updated,
    Status,
    RowCount,
    LastRefreshed,
}

/// <summary>The latest outcome of a rule, read from its segment.</summary>
public sealed record RuleLastResult(long SegmentId, SegmentStatus Status, long RowCount, DateTime? LastRefreshedAt, string? LastError);

/// <summary>A rule as stored (a row of the Rules grid), with when it runs next and its segment's latest outcome.</summary>
public sealed record RuleOverview(Rule Rule, DateTime? NextRun, RuleLastResult? LastResult);

/// <summary>Reads for the Rules page and the API: the paged, sorted, filtered list and one rule.</summary>
public sealed class RuleQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Rules by name, A to Z: the grid's and the API's order.</summary>
    public static readonly GridSort<RuleSortField> ByName = new(RuleSortField.Name, false);

    /// <summary>One page (0-based) of rules whose name or description contains <paramref name="search"/> (any case).</summary>
    public async Task<(IReadOnlyList<RuleOverview> Items, int Total)> ListAsync(string? search, GridSort<RuleSortField> sort, int page, int pageSize,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query =
            from r in db.Rules.AsNoTracking()
            join s in db.Segments.AsNoTracking() on r.Id equals s.RuleId into segments
            from s in segments.DefaultIfEmpty()
            select new { Rule = r, Segment = s };
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLower();
            query = query.Where(x => x.Rule.Name.ToLower().Contains(term) || (x.Rule.Description != null && x.Rule.Description.ToLower().Contains(term)));
        }

        var total = await query.CountAsync(cancellationToken);
        query = sort.Field switch
        {
            RuleSortField.Schedule => query.SortBy(x => x.Rule.Schedule, sort.Descending).ThenBy(x => x.Rule.Name),
            RuleSortField.Updated => query.SortBy(x => x.Rule.UpdatedAt, sort.Descending).ThenBy(x => x.Rule.Name),
            RuleSortField.Status => query.SortBy(x => x.Segment!.Status, sort.Descending).ThenBy(x => x.Rule.Name),
            RuleSortField.RowCount => query.SortBy(x => x.Segment!.RowCount, sort.Descending).ThenBy(x => x.Rule.Name),
            RuleSortField.LastRefreshed => query.SortBy(x => x.Segment!.LastRefreshedAt, sort.Descending).ThenBy(x => x.Rule.Name),
            _ => query.SortBy(x => x.Rule.Name, sort.Descending),
        };
        var rows = await query.Skip(Math.Max(0, page) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var items = rows.Select(x => new RuleOverview(x.Rule, NextRun(x.Rule.Schedule, now), LastResult(x.Segment))).ToList();
        return (items, total);
    }

    public async Task<RuleOverview?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rule = await db.Rules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return null;
        }

        var segment = await db.Segments.AsNoTracking().SingleOrDefaultAsync(s => s.RuleId == id, cancellationToken);
        return new RuleOverview(rule, NextRun(rule.Schedule, clock.GetUtcNow().UtcDateTime), LastResult(segment));
    }

    /// <summary>The rule's next cron occurrence after <paramref name="now"/> (UTC), or null without a usable schedule.</summary>
    public static DateTime? NextRun(string? schedule, DateTime now) =>
        CronSchedule.TryParse(schedule, out _, out _) ? CronSchedule.NextOccurrences(schedule!, now, 1).Cast<DateTime?>().FirstOrDefault() : null;

    private static RuleLastResult? LastResult(Segment? s) =>
        s is null ? null : new RuleLastResult(s.Id, s.Status, s.RowCount, s.LastRefreshedAt, s.LastError);
}
