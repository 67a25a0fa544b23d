using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// The earlier import a forced re-import replaces: its catalog row, and for a dataset loaded into a table the keys of
/// the rows it kept (read from its stored Parquet file). While the new file is read those keys count as not stored
/// (<see cref="TableLookup"/>), and its Parquet file is left out of the partition's files (key checks, the campaign
/// aggregate). Inside the import's transaction its rows leave the table before the new ones are loaded, its catalog row
/// becomes <see cref="ImportStatus.Replaced"/> and the audit log gets <c>upload.reimported</c>; its Parquet file is
/// deleted only once that transaction has committed, so a failed re-import leaves rows and file as they were.
/// </summary>
internal sealed class ImportReplacement
{
    public const string AuditAction = "upload.reimported";

    /// <summary>Values per IN list: far below SQL Server's 2,100 parameters.</summary>
    private const int Chunk = 1000;

    private ImportReplacement(ImportedFile earlier, HashSet<long> keys)
    {
        Earlier = earlier;
        Keys = keys;
    }

    /// <summary>The catalog row of the file replaced.</summary>
    public ImportedFile Earlier { get; }

    /// <summary>The keys of the rows the earlier file put into the dataset's table (empty for a partitioned dataset).</summary>
    public HashSet<long> Keys { get; }

    /// <summary>The earlier import of a file of that name into the dataset, with its keys; null when there is none.</summary>
    public static async Task<ImportReplacement?> FindAsync(IDbContextFactory<PortalDbContext> dbFactory, IBucket bucket, DatasetSchema schema,
        string fileName, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var earlier = await db.ImportedFiles.AsNoTracking()
            .FirstOrDefaultAsync(f => f.Dataset == schema.Name && f.FileName == fileName && f.Status == ImportStatus.Imported, cancellationToken);
        if (earlier is null)
        {
            return null;
        }

        var keys = new HashSet<long>();
        if (schema.Table is not null && earlier.StoredPath is { } path && schema.KeyColumns is [var key])
        {
            var index = schema.IndexOf(key.Name);
            await DatasetFiles.ReadAsync(bucket, path, schema, [key.Name], (columns, count) =>
            {
                var column = columns[index]!;
                for (var row = 0; row < count; row++)
                {
                    keys.Add(column.Int64(row));
                }

                return Task.CompletedTask;
            }, cancellationToken);
        }

        return new ImportReplacement(earlier, keys);
    }

    /// <summary>The partition's stored files without the one replaced.</summary>
    public void LeaveOut(Dictionary<string, List<string>> files)
    {
        if (Earlier.StoredPath is { } path && files.TryGetValue(Earlier.Dataset, out var paths))
        {
            paths.Remove(path);
        }
    }

    /// <summary>Deletes the earlier file's rows from the dataset's table, inside the caller's transaction.</summary>
    public async Task RemoveRowsAsync(PortalDbContext db, DatasetSchema schema, CancellationToken cancellationToken)
    {
        foreach (var chunk in Keys.Chunk(Chunk))
        {
            _ = schema.Table switch
            {
                DatasetCatalog.Users => await db.Customers.Where(c => chunk.Contains(c.UserId)).ExecuteDeleteAsync(cancellationToken),
                DatasetCatalog.CreditCardTransactions => await db.CreditCardTransactions.Where(t => chunk.Contains(t.TransactionId)).ExecuteDeleteAsync(cancellationToken),
                DatasetCatalog.UpiTransactions => await db.UpiTransactions.Where(t => chunk.Contains(t.TransactionId)).ExecuteDeleteAsync(cancellationToken),
                _ => 0,
            };
        }
    }

    /// <summary>
    /// Before the earlier rows leave the table: a key the earlier file had and the new one (its staged Parquet file,
    /// null when it kept no rows) has not must not be referred to by another table (users still paid with). Checked
    /// first because on a server database the transactions' foreign key would delete them with their user.
    /// </summary>
    /// <exception cref="ImportRejectedException">A row of another table refers to a key that the re-import removes.</exception>
    public async Task CheckNothingReferredToIsGoneAsync(PortalDbContext db, IBucket bucket, DatasetSchema schema, string? staged, CancellationToken cancellationToken)
    {
        var referrers = DatasetCatalog.All.Where(d => d.Table is not null && d.Columns.Any(c => c.References == schema.Table)).ToList();
        if (referrers.Count == 0 || Keys.Count == 0)
        {
            return;
        }

        var gone = new HashSet<long>(Keys);
        if (staged is not null && schema.KeyColumns is [var keyColumn])
        {
            var index = schema.IndexOf(keyColumn.Name);
            await DatasetFiles.ReadAsync(bucket, staged, schema, [keyColumn.Name], (columns, count) =>
            {
                var column = columns[index]!;
                for (var row = 0; row < count; row++)
                {
                    gone.Remove(column.Int64(row));
                }

                return Task.CompletedTask;
            }, cancellationToken);
        }

        foreach (var chunk in gone.Chunk(Chunk))
        {
            foreach (var referrer in referrers)
            {
                var used = referrer.Table switch
                {
                    DatasetCatalog.CreditCardTransactions => await db.CreditCardTransactions.Where(t => chunk.Contains(t.UserId)).Select(t => (long?)t.UserId).FirstOrDefaultAsync(cancellationToken),
                    DatasetCatalog.UpiTransactions => await db.UpiTransactions.Where(t => chunk.Contains(t.UserId)).Select(t => (long?)t.UserId).FirstOrDefaultAsync(cancellationToken),
                    _ => null,
                };
                if (used is { } key)
                {
                    var column = referrer.Columns.First(c => c.References == schema.Table).Name;
                    throw new ImportRejectedException(string.Create(CultureInfo.InvariantCulture,
                        $"{column} {key} is in {Earlier.FileName} but not in the new file, and {referrer.Table} still refers to it; nothing was replaced."),
                        ImportRejection.Reference, null, column);
                }
            }
        }
    }

    /// <summary>
    /// Inside the caller's transaction, before the new catalog row is saved (a file name has one Imported row): the
    /// earlier row becomes Replaced, and the audit entry is added.
    /// </summary>
    public async Task RetireAsync(PortalDbContext db, ImportedFile replacing, DateTime now, CancellationToken cancellationToken)
    {
        await db.ImportedFiles.Where(f => f.Id == Earlier.Id).ExecuteUpdateAsync(s => s
            .SetProperty(f => f.Status, ImportStatus.Replaced)
            .SetProperty(f => f.StoredPath, (string?)null), cancellationToken);
        db.AuditLog.Add(new AuditEntry
        {
            At = now,
            Actor = replacing.ImportedBy,
            Action = AuditAction,
            Target = $"{Earlier.Dataset}/{Earlier.FileName}",
            Details = string.Create(CultureInfo.InvariantCulture,
                $"{Earlier.RowsKept} rows of import {Earlier.Id} ({Earlier.Partition}) replaced by {replacing.RowsKept} rows of {replacing.RowsIn} read"),
        });
    }
}
