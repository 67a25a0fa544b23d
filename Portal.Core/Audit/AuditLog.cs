using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Audit;

/// <summary>Appends to and reads the audit log. Never given credentials or personal data to write.</summary>
public sealed class AuditLog(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public async Task WriteAsync(string actor, string action, string? target, string? details, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditLog.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Actor = actor,
            Action = action,
            Target = target,
            Details = details,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Entries whose actor, action or target contain <paramref name="search"/>, sorted (newest first unless
    /// <paramref name="sort"/> says otherwise; ties newest first), a page (0-based) at a time, with the total.
    /// </summary>
    public async Task<(IReadOnlyList<AuditEntry> Items, int Total)> ListAsync(string? search, int page, int pageSize, GridSort<AuditSortField>? sort = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AuditLog.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(a => a.Actor.Contains(term) || a.Action.Contains(term) || (a.Target != null && a.Target.Contains(term)));
        }

        var total = await query.CountAsync(cancellationToken);
        sort ??= new(AuditSortField.At, Descending: true);
        var d = sort.Descending;
        var sorted = sort.Field switch
        {
            AuditSortField.Actor => query.SortBy(a => a.Actor, d).ThenByDescending(a => a.Id),
            AuditSortField.Action => query.SortBy(a => a.Action, d).ThenByDescending(a => a.Id),
            AuditSortField.Target => query.SortBy(a => a.Target ?? "", d).ThenByDescending(a => a.Id),
            _ => query.SortBy(a => a.Id, d),
        };
        var items = await sorted.Skip(page * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return (items, total);
    }
}
