using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Segments;

/// <summary>Reads of saved segments for the pages and the API: a sample of members and the refresh history.</summary>
public sealed class SegmentQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The first <paramref name="count"/> members by user id (<c>GET /api/segments/{id}/sample_data</c>).</summary>
    public async Task<IReadOnlyList<SegmentMemberRow>> SampleAsync(long segmentId, int count = 100, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await (
                from m in db.SegmentMembers.AsNoTracking()
                join u in db.Customers.AsNoTracking() on m.UserId equals u.UserId
                where m.SegmentId == segmentId
                orderby m.UserId
                select new SegmentMemberRow(u.UserId, u.Name, u.Email, u.City, u.CityTier))
            .Take(Math.Clamp(count, 0, 10_000))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The segment's refreshes, latest first: sizes over time, the SQL run, errors.</summary>
    public async Task<IReadOnlyList<SegmentRefresh>> HistoryAsync(long segmentId, int count = 100, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SegmentRefreshes.AsNoTracking()
            .Where(r => r.SegmentId == segmentId)
            .OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id)
            .Take(count)
            .ToListAsync(cancellationToken);
    }
}
