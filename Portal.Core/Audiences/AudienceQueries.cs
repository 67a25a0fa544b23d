using Microsoft.EntityFrameworkCore;
using Portal.Core.Adtech;
using Portal.Core.Data;

namespace Portal.Core.Audiences;

/// <summary>One adtech of one audience, as the Audiences grid shows it.</summary>
public sealed record AdtechCell(string Key, string? Name, AdtechStatus Status, string? Id, LastResponse? LastResponse);

/// <summary>A row of the Audiences grid: an audience as the index has it.</summary>
public sealed record AudienceOverview(string Name, string? Description, bool IsValid, int IssueCount, string? FirstIssue, bool HasMemberData,
    long? Members, IReadOnlyList<AdtechCell> Adtechs, LastResponse? SourceResponse, string? SourceSegment = null);

/// <summary>The Audiences grid's status filter.</summary>
public enum AudienceFilter { Any, Pending, Posted, NotFetched, Failing, Invalid }

/// <summary>What the Audiences grid sorts by.</summary>
public enum AudienceSort { Name, Members, Validity }

/// <summary>
/// Reads of the audiences for the pages and the API, from the audience index (reconciled first when it is due), a page
/// at a time: no state file is read or parsed here, except the one whose text is asked for.
/// </summary>
public sealed class AudienceQueries(IDbContextFactory<PortalDbContext> dbFactory, AudienceIndex index, IBucket bucket, YamlLimits? limits = null)
{
    private readonly long _maxBytes = (limits ?? YamlLimits.Default).MaxFileBytes;

    /// <summary>Queries over an index of <paramref name="bucket"/> with the default settings (<see cref="AudienceIndex.Standalone"/>), for tools and tests.</summary>
    public static AudienceQueries Standalone(IDbContextFactory<PortalDbContext> dbFactory, IBucket bucket) =>
        new(dbFactory, AudienceIndex.Standalone(dbFactory, bucket), bucket);

    /// <summary>A page of audiences matching <paramref name="search"/> (name, description or adtech, any case) and the filter, with the total.</summary>
    public async Task<(IReadOnlyList<AudienceOverview> Items, int Total)> ListAsync(string? search, AudienceFilter filter, AudienceSort sort, bool descending,
        int skip, int take, CancellationToken cancellationToken = default)
    {
        await index.EnsureFreshAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Filtered(db, db.AudienceIndex.AsNoTracking(), search, filter);
        var total = await query.CountAsync(cancellationToken);
        query = sort switch
        {
            AudienceSort.Members => descending ? query.OrderByDescending(r => r.Members).ThenBy(r => r.Name) : query.OrderBy(r => r.Members).ThenBy(r => r.Name),
            AudienceSort.Validity => descending ? query.OrderByDescending(r => r.IsValid).ThenBy(r => r.Name) : query.OrderBy(r => r.IsValid).ThenBy(r => r.Name),
            _ => descending ? query.OrderByDescending(r => r.Name) : query.OrderBy(r => r.Name),
        };
        return (await PageAsync(query, skip, take, cancellationToken), total);
    }

    /// <summary>
    /// The audiences whose source is the segment <paramref name="segmentName"/> (any segment when null), by name: only
    /// valid ones unless <paramref name="validOnly"/> is false.
    /// </summary>
    public async Task<IReadOnlyList<AudienceOverview>> FedByAsync(string? segmentName, bool validOnly = true, CancellationToken cancellationToken = default)
    {
        await index.EnsureFreshAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AudienceIndex.AsNoTracking()
            .Where(r => (r.IsValid || !validOnly) && r.SourceKind == AudienceSourceKind.Segment && (segmentName == null || r.Source == segmentName))
            .OrderBy(r => r.Name);
        return await PageAsync(query, 0, int.MaxValue, cancellationToken);
    }

    /// <summary>One audience's row, or null when it has no state file.</summary>
    public async Task<AudienceOverview?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await index.EnsureFreshAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await PageAsync(db.AudienceIndex.AsNoTracking().Where(r => r.Name == name).OrderBy(r => r.Path), 0, 1, cancellationToken)).FirstOrDefault();
    }

    /// <summary>
    /// A page of the Connectors matrix: audiences with an adtech block matching <paramref name="adtech"/> and
    /// <paramref name="status"/> (any when null; with neither, every audience), by name (A to Z, or Z to A when
    /// <paramref name="descending"/>), with the total.
    /// </summary>
    public async Task<(IReadOnlyList<AudienceOverview> Items, int Total)> MatrixAsync(string? adtech, AdtechStatus? status, int skip, int take,
        bool descending = false, CancellationToken cancellationToken = default)
    {
        await index.EnsureFreshAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.AudienceIndex.AsNoTracking();
        if (adtech is not null || status is not null)
        {
            // An uncorrelated IN (SELECT …): the matching cells are read once, where a correlated EXISTS may scan them for each audience.
            var having = db.AudienceIndexAdtechs.Where(a => (adtech == null || a.Key == adtech) && (status == null || a.Status == status)).Select(a => a.AudienceId);
            query = query.Where(r => having.Contains(r.Id));
        }

        var total = await query.CountAsync(cancellationToken);
        return (await PageAsync(query.SortBy(r => r.Name, descending), skip, take, cancellationToken), total);
    }

    /// <summary>How many audience × adtech cells have each status (of one adtech, or of all when null).</summary>
    public async Task<IReadOnlyDictionary<AdtechStatus, int>> StatusCountsAsync(string? adtech, CancellationToken cancellationToken = default)
    {
        await index.EnsureFreshAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.AudienceIndexAdtechs.AsNoTracking().Where(a => adtech == null || a.Key == adtech)
            .GroupBy(a => a.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return Enum.GetValues<AdtechStatus>().ToDictionary(s => s, s => counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0);
    }

    /// <summary>The state file's text, for showing it; none for a file that is gone or too large to read (its issue says why).</summary>
    public async Task<string> YamlAsync(string name, CancellationToken cancellationToken = default)
    {
        string path;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            path = await db.AudienceIndex.AsNoTracking().Where(r => r.Name == name).OrderBy(r => r.Path).Select(r => r.Path).FirstOrDefaultAsync(cancellationToken)
                ?? AudienceCatalog.StatePath(name);
        }

        try
        {
            return (await bucket.ReadTextAsync(path, _maxBytes, cancellationToken))?.Text ?? "";
        }
        catch (BucketObjectTooLargeException)
        {
            return "";
        }
    }

    private static IQueryable<AudienceIndexRow> Filtered(PortalDbContext db, IQueryable<AudienceIndexRow> query, string? search, AudienceFilter filter)
    {
        // Cells are matched with uncorrelated IN (SELECT …) lists, read once, not an EXISTS per audience.
        var withAdtech = db.AudienceIndexAdtechs.Select(a => a.AudienceId);
        var notPosted = db.AudienceIndexAdtechs.Where(a => a.Status != AdtechStatus.Posted).Select(a => a.AudienceId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLower();
            var matchingAdtech = db.AudienceIndexAdtechs.Where(a => a.Key.ToLower().Contains(term)).Select(a => a.AudienceId);
            query = query.Where(r => r.Name.ToLower().Contains(term) || (r.Description != null && r.Description.ToLower().Contains(term))
                || matchingAdtech.Contains(r.Id));
        }

        return filter switch
        {
            AudienceFilter.Pending => query.Where(r => r.IsValid && notPosted.Contains(r.Id)),
            AudienceFilter.Posted => query.Where(r => r.IsValid && withAdtech.Contains(r.Id) && !notPosted.Contains(r.Id)),
            AudienceFilter.NotFetched => query.Where(r => r.IsValid && !r.HasMemberData),
            AudienceFilter.Failing => query.Where(r => db.ExportRuns.Any(run => run.Audience == r.Name && run.Status == ExportRunStatus.Failed
                && run.Id == db.ExportRuns.Where(x => x.Audience == r.Name).Max(x => x.Id))),
            AudienceFilter.Invalid => query.Where(r => !r.IsValid),
            _ => query,
        };
    }

    private static async Task<IReadOnlyList<AudienceOverview>> PageAsync(IQueryable<AudienceIndexRow> query, int skip, int take, CancellationToken cancellationToken)
    {
        var rows = await query.Skip(Math.Max(0, skip)).Take(Math.Max(0, take)).Include(r => r.Adtechs).AsSplitQuery().ToListAsync(cancellationToken);
        return rows.Select(ToOverview).ToList();
    }

    private static AudienceOverview ToOverview(AudienceIndexRow r) => new(
        r.Name, r.Description, r.IsValid, r.IssueCount, r.FirstIssue, r.HasMemberData, r.Members,
        r.Adtechs.OrderBy(a => a.Position).Select(a => new AdtechCell(a.Key, a.Name, a.Status, a.ExternalId,
            a.ResponseStatus is { } status ? new LastResponse(a.ResponseDate ?? "", status, a.ResponseMessage ?? "") : null)).ToList(),
        r.SourceResponseStatus is { } source ? new LastResponse(r.SourceResponseDate ?? "", source, r.SourceResponseMessage ?? "") : null,
        r.SourceKind == AudienceSourceKind.Segment ? r.Source : null);
}
