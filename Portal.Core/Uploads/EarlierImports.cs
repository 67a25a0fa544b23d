using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>The earlier import of a file name into a dataset: a file name is imported once, unless a re-import is forced.</summary>
internal static class EarlierImports
{
    /// <summary>
    /// Refuses a file whose name was already imported into the dataset: checked by an upload before its bytes are
    /// sent, and by the import itself when it runs (drop-folder files, and uploads that raced). An import by the same
    /// job (<paramref name="jobId"/>) is returned instead: its commit landed before the portal stopped, the job was
    /// left Running and now runs again, with nothing left to import.
    /// </summary>
    /// <exception cref="ImportRejectedException">The name was imported, by another job; the message says when and by whom.</exception>
    internal static async Task<ImportedFile?> RejectIfImportedAsync(IDbContextFactory<PortalDbContext> dbFactory, string dataset, string fileName,
        CancellationToken cancellationToken, long? jobId = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var earlier = await db.ImportedFiles.AsNoTracking()
            .FirstOrDefaultAsync(f => f.Dataset == dataset && f.FileName == fileName && f.Status == ImportStatus.Imported, cancellationToken);
        if (earlier is not null && jobId is not null && earlier.JobId == jobId)
        {
            return earlier;
        }

        return earlier is null ? null : throw new ImportRejectedException(AlreadyImportedMessage(earlier), ImportRejection.AlreadyImported);
    }

    /// <summary>The import of this name that the same job committed before the portal stopped (a forced re-import runs again), or null.</summary>
    internal static async Task<ImportedFile?> ImportedByJobAsync(IDbContextFactory<PortalDbContext> dbFactory, string dataset, string fileName,
        long? jobId, CancellationToken cancellationToken)
    {
        if (jobId is null)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ImportedFiles.AsNoTracking()
            .FirstOrDefaultAsync(f => f.Dataset == dataset && f.FileName == fileName && f.Status == ImportStatus.Imported && f.JobId == jobId, cancellationToken);
    }

    private static string AlreadyImportedMessage(ImportedFile earlier) => string.Create(CultureInfo.InvariantCulture,
        $"A file named '{earlier.FileName}' was already imported into {earlier.Dataset} ({earlier.Partition}) on {earlier.ImportedAt:yyyy-MM-dd HH:mm} UTC "
        + $"by {earlier.ImportedBy}; rename the file to import it too.");
}
