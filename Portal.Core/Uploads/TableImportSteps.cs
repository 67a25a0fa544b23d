using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Core.Uploads;

/// <summary>The steps of an import's commit that concern the table it loads: references checked again, and its readers marked stale.</summary>
internal static class TableImportSteps
{
    /// <summary>
    /// The rows were checked against the tables they refer to while the file was read; a row referred to could have
    /// been deleted since. Checked again inside the commit's transaction, once per key referred to.
    /// </summary>
    internal static async Task CheckReferencesAsync(PortalDbContext db, DatasetSchema schema, CsvImportResult read, CancellationToken cancellationToken)
    {
        foreach (var (table, keys) in read.ReferencedKeys)
        {
            var stored = await TableLookup.SortedKeysAsync(db, table, cancellationToken);
            if (keys.FirstOrDefault(k => stored.AsSpan().BinarySearch(k) < 0, long.MinValue) is var missing and not long.MinValue)
            {
                var column = schema.Columns.First(c => c.References == table).Name;
                throw new ImportRejectedException(
                    string.Create(CultureInfo.InvariantCulture, $"{column} {missing} is no longer in {table}: it was deleted while the file was imported. Import the file again."),
                    ImportRejection.Reference, null, column);
            }
        }
    }

    /// <summary>
    /// The segments whose rules read the table just loaded are behind it: Fresh ones become Stale (since now), as after
    /// a rule edit, so the next stale refresh picks them up. Segments built on them follow when those refresh. In the
    /// import's transaction.
    /// </summary>
    internal static async Task MarkReadersStaleAsync(PortalDbContext db, string table, DateTime now, CancellationToken cancellationToken)
    {
        var rules = await db.Rules.AsNoTracking().Select(r => new { r.Id, r.Conditions }).ToListAsync(cancellationToken);
        var readers = rules.Where(r => RuleTables.Read(RuleGraph.SafeRead(r.Conditions)).Contains(table)).Select(r => r.Id).ToList();
        if (readers.Count > 0)
        {
            await db.Segments.Where(s => readers.Contains(s.RuleId) && s.Status == SegmentStatus.Fresh).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, SegmentStatus.Stale)
                .SetProperty(x => x.StaleSince, now), cancellationToken);
        }
    }
}
