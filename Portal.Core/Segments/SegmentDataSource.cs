using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Data;

namespace Portal.Core.Segments;

/// <summary>
/// The "segment" source of an audience (<c>source.segment: &lt;segment name&gt;</c>): the members of a saved segment,
/// with their email, phone and zip, streamed from the database into the audience's Parquet file in user-id order.
/// A segment that has never been refreshed is refused (there is nothing to send yet).
/// </summary>
public sealed class SegmentDataSource(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public async Task<FetchResult> FetchAsync(AudienceState state, IBucket bucket, CancellationToken cancellationToken)
    {
        var date = clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var name = state.SourceSegment ?? throw new InvalidOperationException($"{state.Name} has no segment source.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var segment = await db.Segments.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (segment is null)
        {
            return new FetchResult(false, 0, new LastResponse(date, 404, $"Failed: there is no segment named '{name}'."));
        }

        if (segment.LastRefreshedAt is null)
        {
            return new FetchResult(false, 0, new LastResponse(date, 409, $"Failed: segment '{name}' has never been refreshed; trigger its rule first."));
        }

        var members = db.SegmentMembers.AsNoTracking().Where(m => m.SegmentId == segment.Id)
            .Join(db.Customers.AsNoTracking(), m => m.UserId, u => u.UserId, (m, u) => new { u.UserId, u.Email, u.Phone, u.ZipCode })
            .OrderBy(x => x.UserId)
            .AsAsyncEnumerable()
            .Select(x => new Member([x.Email], [x.Phone], [x.ZipCode]));
        var count = await MemberFile.WriteAsync(bucket, state.Name, members, cancellationToken);
        return new FetchResult(true, count, new LastResponse(date, 200, $"Success: {count:N0} members from segment '{name}' (refreshed {segment.LastRefreshedAt:yyyy-MM-dd HH:mm} UTC)."));
    }
}
