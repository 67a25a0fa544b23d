using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

public enum ImportedFileSortField
{
    ImportedAt,
    FileName,
    Dataset,
    Partition,
    Status,
    RowsIn,
    RowsKept,
    Dropped,
    ImportedBy,
}

/// <summary>Filters of the catalog grid; null or empty means any. <paramref name="Search"/> looks in the file name, who imported it and the error.</summary>
public sealed record ImportedFileFilter(string? Dataset = null, string? Partition = null, ImportStatus? Status = null, string? Search = null);

/// <summary>A dataset as pickers, the lineage and the API show it: its schema and what has been imported into it.</summary>
public sealed record DatasetSummary(DatasetSchema Schema, int FilesImported, int FilesRejected, int FilesFailed, long RowsKept,
    DateTime? LastImportedAt, ImportStatus? LastStatus, IReadOnlyList<string> Partitions);

/// <summary>Reads of the catalog of imported files, for the Uploads page and the API (any signed-in user).</summary>
public sealed class ImportedFileQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The newest import first: the grid's and the API's order.</summary>
    public static readonly GridSort<ImportedFileSortField> Newest = new(ImportedFileSortField.ImportedAt, true);

    /// <summary>A page (0-based) of the catalog, filtered and sorted, and how many rows match in all.</summary>
    public async Task<(IReadOnlyList<ImportedFile> Items, int Total)> ListAsync(ImportedFileFilter filter, GridSort<ImportedFileSortField> sort, int page, int pageSize,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.ImportedFiles.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Dataset))
        {
            var dataset = filter.Dataset.Trim();
            query = query.Where(f => f.Dataset == dataset);
        }

        if (!string.IsNullOrWhiteSpace(filter.Partition))
        {
            var partition = filter.Partition.Trim();
            query = query.Where(f => f.Partition == partition);
        }

        if (filter.Status is { } status)
        {
            query = query.Where(f => f.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim();
            query = query.Where(f => f.FileName.Contains(term) || f.ImportedBy.Contains(term) || (f.Error != null && f.Error.Contains(term)));
        }

        var total = await query.CountAsync(cancellationToken);
        query = sort.Field switch
        {
            ImportedFileSortField.FileName => query.SortBy(f => f.FileName, sort.Descending).ThenByDescending(f => f.Id),
            ImportedFileSortField.Dataset => query.SortBy(f => f.Dataset, sort.Descending).ThenByDescending(f => f.Id),
            ImportedFileSortField.Partition => query.SortBy(f => f.Partition, sort.Descending).ThenByDescending(f => f.Id),
            ImportedFileSortField.Status => query.SortBy(f => f.Status, sort.Descending).ThenByDescending(f => f.Id),
            ImportedFileSortField.RowsIn => query.SortBy(f => f.RowsIn, sort.Descending).ThenByDescending(f => f.Id),
            ImportedFileSortField.RowsKept => query.SortBy(f => f.RowsKept, sort.Descending).ThenByDescending(f => f.Id),
            ImportedFileSortField.Dropped => query.SortBy(f => f.DroppedDuplicate + f.DroppedMissing + f.DroppedExistingKey, sort.Descending).ThenByDescending(f => f.Id),
            ImportedFileSortField.ImportedBy => query.SortBy(f => f.ImportedBy, sort.Descending).ThenByDescending(f => f.Id),
            _ => query.SortBy(f => f.ImportedAt, sort.Descending).ThenSortBy(f => f.Id, sort.Descending),
        };
        var items = await query.Skip(Math.Max(0, page) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return (items, total);
    }

    public async Task<ImportedFile?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ImportedFiles.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
    }

    /// <summary>The catalog rows a job wrote (one for an upload's import job; one per file for a drop-folder scan).</summary>
    public async Task<IReadOnlyList<ImportedFile>> ForJobAsync(long jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ImportedFiles.AsNoTracking().Where(f => f.JobId == jobId).OrderBy(f => f.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Every dataset of <see cref="DatasetCatalog"/>, with its imports counted (in the catalog's order).</summary>
    public async Task<IReadOnlyList<DatasetSummary>> DatasetsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var counts = await db.ImportedFiles.AsNoTracking()
            .GroupBy(f => new { f.Dataset, f.Status })
            .Select(g => new { g.Key.Dataset, g.Key.Status, Files = g.Count(), Rows = g.Sum(f => f.RowsKept), Last = g.Max(f => f.ImportedAt) })
            .ToListAsync(cancellationToken);
        var partitions = await db.ImportedFiles.AsNoTracking()
            .Where(f => f.Status == ImportStatus.Imported)
            .Select(f => new { f.Dataset, f.Partition })
            .Distinct()
            .ToListAsync(cancellationToken);
        var lastIds = await db.ImportedFiles.AsNoTracking().GroupBy(f => f.Dataset).Select(g => g.Max(f => f.Id)).ToListAsync(cancellationToken);
        var lastStatus = await db.ImportedFiles.AsNoTracking().Where(f => lastIds.Contains(f.Id))
            .Select(f => new { f.Dataset, f.Status }).ToListAsync(cancellationToken);

        return [.. DatasetCatalog.All.Select(schema =>
        {
            var mine = counts.Where(c => c.Dataset == schema.Name).ToList();
            int Files(ImportStatus s) => mine.Where(c => c.Status == s).Sum(c => c.Files);
            var imported = mine.FirstOrDefault(c => c.Status == ImportStatus.Imported);
            return new DatasetSummary(schema, Files(ImportStatus.Imported), Files(ImportStatus.Rejected), Files(ImportStatus.Failed),
                imported?.Rows ?? 0, imported?.Last, lastStatus.FirstOrDefault(l => l.Dataset == schema.Name)?.Status,
                [.. partitions.Where(p => p.Dataset == schema.Name).Select(p => p.Partition).Order(StringComparer.Ordinal)]);
        })];
    }
}
