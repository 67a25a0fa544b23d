using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// Adds an import's outcome to <c>dataset_health_days</c>, in the caller's context and transaction. A dataset dated by
/// its own column (<see cref="DatasetSchema.HealthDate"/>) gets its rows on the days of their dates (a file counts on
/// each day it has rows on); any other dataset gets the whole file on the day of the import, rejections included. A
/// rejected file keeps no rows, so it has no day of its own in a series by date: the catalog lists it.
/// </summary>
internal static class HealthDayRecorder
{
    /// <summary>An imported file's rows, on their days or on the import's.</summary>
    public static async Task AddImportAsync(PortalDbContext db, DatasetSchema schema, CsvImportResult read, DateTime now, CancellationToken cancellationToken)
    {
        if (schema.HealthDate is null || read.Days is not { } days)
        {
            var day = await DayAsync(db, schema.Name, DateOnly.FromDateTime(now), cancellationToken);
            day.FilesImported++;
            day.RowsIn += read.RowsIn;
            day.RowsKept += read.RowsKept;
            day.DuplicateRows += read.DroppedDuplicate + read.DroppedExistingKey;
            day.MissingValues += read.MissingValues;
            day.Cells += read.Cells;
            return;
        }

        if (days.Count == 0)
        {
            return;
        }

        var first = days[0].Day;
        var last = days[^1].Day;
        var stored = await db.DatasetHealthDays.Where(d => d.Dataset == schema.Name && d.Day >= first && d.Day <= last)
            .ToDictionaryAsync(d => d.Day, cancellationToken);
        foreach (var counts in days)
        {
            if (!stored.TryGetValue(counts.Day, out var day))
            {
                day = new DatasetHealthDay { Dataset = schema.Name, Day = counts.Day };
                db.DatasetHealthDays.Add(day);
            }

            day.FilesImported++;
            day.RowsIn += counts.RowsIn;
            day.RowsKept += counts.RowsKept;
            day.DuplicateRows += counts.DuplicateRows;
            day.MissingValues += counts.MissingValues;
            day.Cells += counts.Cells;
        }
    }

    /// <summary>A rejected file, on the import's day, for a dataset whose days are import days.</summary>
    public static async Task AddRejectionAsync(PortalDbContext db, string dataset, DateTime now, CancellationToken cancellationToken)
    {
        if (DatasetCatalog.Find(dataset) is { HealthDate: null })
        {
            (await DayAsync(db, dataset, DateOnly.FromDateTime(now), cancellationToken)).FilesRejected++;
        }
    }

    private static async Task<DatasetHealthDay> DayAsync(PortalDbContext db, string dataset, DateOnly date, CancellationToken cancellationToken)
    {
        var day = await db.DatasetHealthDays.FirstOrDefaultAsync(d => d.Dataset == dataset && d.Day == date, cancellationToken);
        if (day is null)
        {
            day = new DatasetHealthDay { Dataset = dataset, Day = date };
            db.DatasetHealthDays.Add(day);
        }

        return day;
    }
}
