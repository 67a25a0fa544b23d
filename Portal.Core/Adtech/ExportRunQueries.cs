using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Adtech;

/// <summary>Reads of the export run records, for the pages (no writes).</summary>
public sealed class ExportRunQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>
    /// Runs of one audience (or all when <paramref name="audience"/> is null), sorted (newest first unless
    /// <paramref name="sort"/> says otherwise; ties newest first), a page at a time, with the total.
    /// </summary>
    public async Task<(IReadOnlyList<ExportRun> Items, int Total)> ListAsync(string? audience, int skip, int take, GridSort<ExportRunSortField>? sort = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ExportRuns.AsNoTracking();
        if (audience is not null)
        {
            query = query.Where(r => r.Audience == audience);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await Sorted(query, sort ?? new(ExportRunSortField.Started, Descending: true)).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 0, 500)).ToListAsync(cancellationToken);
        return (items, total);
    }

    private static IQueryable<ExportRun> Sorted(IQueryable<ExportRun> query, GridSort<ExportRunSortField> sort)
    {
        var d = sort.Descending;
        // Missing values (no report, no answer) sort as the lowest on every provider (SQLite and PostgreSQL put NULLs at opposite ends).
        return sort.Field switch
        {
            ExportRunSortField.Audience => query.SortBy(r => r.Audience, d).ThenByDescending(r => r.Id),
            ExportRunSortField.Adtech => query.SortBy(r => r.AdtechKey, d).ThenByDescending(r => r.Id),
            ExportRunSortField.Status => query.SortBy(r => r.Status, d).ThenByDescending(r => r.Id),
            ExportRunSortField.Sent => query.SortBy(r => r.MembersSent, d).ThenByDescending(r => r.Id),
            ExportRunSortField.Added => query.SortBy(r => r.Added ?? -1, d).ThenByDescending(r => r.Id),
            ExportRunSortField.MatchRate => query.SortBy(r => r.MatchedLow == null || r.Members == null || r.Members == 0 ? -1.0 : (double)r.MatchedLow.Value / r.Members.Value, d)
                .ThenByDescending(r => r.Id),
            ExportRunSortField.Rejected => query.SortBy(r => r.FailedCount, d).ThenByDescending(r => r.Id),
            ExportRunSortField.InvalidValues => query.SortBy(r => r.InvalidValues, d).ThenByDescending(r => r.Id),
            ExportRunSortField.Duration => query.SortBy(r => r.DurationMs, d).ThenByDescending(r => r.Id),
            ExportRunSortField.HttpStatus => query.SortBy(r => r.HttpStatus ?? -1, d).ThenByDescending(r => r.Id),
            _ => query.SortBy(r => r.StartedUtc, d).ThenSortBy(r => r.Id, d),
        };
    }

    public async Task<ExportRun?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ExportRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>The runs a background job made, in order.</summary>
    public async Task<IReadOnlyList<ExportRun>> ForJobAsync(long jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ExportRuns.AsNoTracking().Where(r => r.JobId == jobId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
    }

    /// <summary>The latest run of an audience to each adtech, by adtech key.</summary>
    public async Task<IReadOnlyDictionary<string, ExportRun>> LatestByAdtechAsync(string audience, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.ExportRuns.AsNoTracking().Where(r => r.Audience == audience)
            .GroupBy(r => r.AdtechKey).Select(g => g.Max(r => r.Id)).ToListAsync(cancellationToken);
        var runs = await db.ExportRuns.AsNoTracking().Where(r => latest.Contains(r.Id)).ToListAsync(cancellationToken);
        return runs.ToDictionary(r => r.AdtechKey, StringComparer.Ordinal);
    }

    /// <summary>Each audience's latest run to each adtech (of <paramref name="audiences"/> only, when given).</summary>
    public async Task<IReadOnlyList<ExportRun>> LatestPerAudienceAndAdtechAsync(IReadOnlyCollection<string>? audiences = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ExportRuns.AsNoTracking();
        if (audiences is not null)
        {
            query = query.Where(r => audiences.Contains(r.Audience));
        }

        var latest = await query.GroupBy(r => new { r.Audience, r.AdtechKey }).Select(g => g.Max(r => r.Id)).ToListAsync(cancellationToken);
        return await db.ExportRuns.AsNoTracking().Where(r => latest.Contains(r.Id)).OrderBy(r => r.Audience).ThenBy(r => r.AdtechKey).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Each adtech's <see cref="AdtechSyncSummary"/>, summed in the database over each audience's latest run there (the
    /// same figures as <see cref="AdtechSyncSummary.ByAdtech"/>, without reading every audience's runs into memory).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, AdtechSyncSummary>> SyncSummariesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latestIds = db.ExportRuns.GroupBy(r => new { r.Audience, r.AdtechKey }).Select(g => g.Max(r => r.Id));
        var sums = await db.ExportRuns.Where(r => latestIds.Contains(r.Id)).GroupBy(r => r.AdtechKey).Select(g => new
        {
            Key = g.Key,
            Audiences = g.Count(),
            LastId = g.Max(r => r.Id),
            Added = g.Sum(r => r.SyncOutcome != null ? r.Added ?? 0 : r.Status == ExportRunStatus.Succeeded ? r.MembersSent : 0),
            Removed = g.Sum(r => r.Removed ?? 0),
            Reported = g.Count(r => r.Members > 0 && (r.MatchedLow ?? r.MatchedHigh) != null),
            Low = g.Sum(r => r.Members > 0 && (r.MatchedLow ?? r.MatchedHigh) != null ? r.MatchedLow ?? r.MatchedHigh ?? 0 : 0),
            High = g.Sum(r => r.Members > 0 && (r.MatchedLow ?? r.MatchedHigh) != null ? r.MatchedHigh ?? r.MatchedLow ?? 0 : 0),
            Members = g.Sum(r => r.Members > 0 && (r.MatchedLow ?? r.MatchedHigh) != null ? r.Members ?? 0 : 0),
        }).ToListAsync(cancellationToken);
        var lastIds = sums.Select(s => s.LastId).ToList();
        var last = await db.ExportRuns.AsNoTracking().Where(r => lastIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        return sums.ToDictionary(s => s.Key, s => new AdtechSyncSummary(s.Key, s.Audiences, last[s.LastId], s.Added, s.Removed,
            s.Reported == 0 ? null : s.Low, s.Reported == 0 ? null : s.High, s.Reported == 0 ? null : s.Members), StringComparer.Ordinal);
    }

    /// <summary>Each audience's latest run (to any adtech), by audience name (of <paramref name="audiences"/> only, when given: a page's).</summary>
    public async Task<IReadOnlyDictionary<string, ExportRun>> LatestPerAudienceAsync(IReadOnlyCollection<string>? audiences = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ExportRuns.AsNoTracking();
        if (audiences is not null)
        {
            query = query.Where(r => audiences.Contains(r.Audience));
        }

        var latest = await query.GroupBy(r => r.Audience).Select(g => g.Max(r => r.Id)).ToListAsync(cancellationToken);
        var runs = await db.ExportRuns.AsNoTracking().Where(r => latest.Contains(r.Id)).ToListAsync(cancellationToken);
        return runs.ToDictionary(r => r.Audience, StringComparer.Ordinal);
    }
}
