using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Jobs;

public sealed record JobFilter(IReadOnlyCollection<JobStatus>? Statuses = null, string? Kind = null, string? Search = null);

public sealed record JobCounts(int Queued, int Running, int FailedToday);

public enum JobSortField
{
    Created,
    Title,
    Status,
    Kind,
    Progress,
    RequestedBy,
}

/// <summary>Reads for the Jobs page, the dashboard and the status bar.</summary>
public sealed class JobQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The newest job first.</summary>
    public static readonly GridSort<JobSortField> Newest = new(JobSortField.Created, true);

    /// <summary>The oldest job first.</summary>
    public static readonly GridSort<JobSortField> Oldest = new(JobSortField.Created, false);

    public async Task<(IReadOnlyList<JobRecord> Items, int Total)> ListAsync(JobFilter filter, GridSort<JobSortField> sort, int page, int pageSize,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Jobs.AsNoTracking();
        if (filter.Statuses is { Count: > 0 } statuses)
        {
            query = query.Where(j => statuses.Contains(j.Status));
        }

        if (!string.IsNullOrWhiteSpace(filter.Kind))
        {
            query = query.Where(j => j.Kind == filter.Kind);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim();
            query = query.Where(j => j.Title.Contains(term) || j.RequestedBy.Contains(term) || (j.Error != null && j.Error.Contains(term)));
        }

        var total = await query.CountAsync(cancellationToken);
        query = sort.Field switch
        {
            JobSortField.Title => query.SortBy(j => j.Title, sort.Descending).ThenByDescending(j => j.Id),
            JobSortField.Status => query.SortBy(j => j.Status, sort.Descending).ThenByDescending(j => j.Id),
            JobSortField.Kind => query.SortBy(j => j.Kind, sort.Descending).ThenByDescending(j => j.Id),
            JobSortField.RequestedBy => query.SortBy(j => j.RequestedBy, sort.Descending).ThenByDescending(j => j.Id),
            JobSortField.Progress => query.SortBy(j => j.ProgressTotal == 0 ? 0.0 : (double)j.ProgressDone / j.ProgressTotal, sort.Descending).ThenByDescending(j => j.Id),
            _ => query.SortBy(j => j.Id, sort.Descending),
        };
        var items = await query.Skip(Math.Max(0, page) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return (items, total);
    }

    public async Task<JobRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
    }

    public async Task<IReadOnlyList<JobRecord>> LatestAsync(int count, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().OrderByDescending(j => j.Id).Take(count).ToListAsync(cancellationToken);
    }

    public async Task<JobCounts> CountsAsync(CancellationToken cancellationToken = default)
    {
        var since = clock.GetUtcNow().UtcDateTime.Date;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running || (j.Status == JobStatus.Failed && j.FinishedAt >= since))
            .GroupBy(j => j.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int Of(JobStatus s) => counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0;
        return new JobCounts(Of(JobStatus.Queued), Of(JobStatus.Running), Of(JobStatus.Failed));
    }
}
