using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Customers;
using Portal.Core.Data;
using Portal.Core.Segments;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Writes customers and segment contents straight into the database, as a refresh would leave them, so that the
/// read side (queries, API) can be tested without the refresh job.
/// </summary>
public static class SegmentData
{
    public static async Task AddCustomersAsync(IServiceProvider services, IEnumerable<long> userIds)
    {
        await using var db = await DbAsync(services);
        foreach (var id in userIds)
        {
            db.Customers.Add(new Customer
            {
                UserId = id,
                Name = $"Customer {id}",
                Email = $"customer{id}@example.com",
                Phone = "+910000000000",
                ZipCode = "560001",
                City = id % 2 == 0 ? "Bengaluru" : "Pune",
                CityTier = (int)(id % 3) + 1,
                CreatedAt = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            });
        }

        await db.SaveChangesAsync();
    }

    /// <summary>Replaces the segment's members and marks it refreshed with that many rows.</summary>
    public static async Task SetMembersAsync(IServiceProvider services, long segmentId, IEnumerable<long> userIds, DateTime? refreshedAt = null,
        string? sql = "SELECT user_id FROM users")
    {
        await using var db = await DbAsync(services);
        await db.SegmentMembers.Where(m => m.SegmentId == segmentId).ExecuteDeleteAsync();
        var ids = userIds.Distinct().ToList();
        db.SegmentMembers.AddRange(ids.Select(u => new SegmentMember { SegmentId = segmentId, UserId = u }));
        var segment = await db.Segments.SingleAsync(s => s.Id == segmentId);
        segment.RowCount = ids.Count;
        segment.Status = SegmentStatus.Fresh;
        segment.LastRefreshedAt = refreshedAt ?? DateTime.UtcNow;
        segment.SqlQuery = sql;
        segment.LastError = null;
        await db.SaveChangesAsync();
    }

    public static async Task AddRefreshAsync(IServiceProvider services, long segmentId, DateTime startedAt, long? rowCount, string? error = null)
    {
        await using var db = await DbAsync(services);
        db.SegmentRefreshes.Add(new SegmentRefresh
        {
            SegmentId = segmentId,
            StartedAt = startedAt,
            FinishedAt = startedAt.AddSeconds(2),
            Succeeded = error is null,
            RowCount = rowCount,
            DurationMs = 2000,
            SqlQuery = "SELECT user_id FROM users",
            Error = error,
        });
        await db.SaveChangesAsync();
    }

    public static async Task<long> SegmentOfRuleAsync(IServiceProvider services, long ruleId)
    {
        await using var db = await DbAsync(services);
        return await db.Segments.Where(s => s.RuleId == ruleId).Select(s => s.Id).SingleAsync();
    }

    private static Task<PortalDbContext> DbAsync(IServiceProvider services) =>
        services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
}
