using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>What looks wrong with a day: data that is obviously faulty, nothing at all, or far below or above the days before.</summary>
[Flags]
public enum HealthFlags
{
    None = 0,

    /// <summary>Fewer rows kept than half the median of the seven days before (days without imports count as 0).</summary>
    SuddenDrop = 1,

    /// <summary>No rows kept on a day after the first day with rows, the last day included (no import that day, or only rows already stored).</summary>
    ZeroDay = 2,

    /// <summary>More rows kept than twice the mean of the seven days before (at least three of them; days without imports count as 0).</summary>
    Spike = 4,
}

/// <summary>A day of a dataset's health: what arrived, the share of empty values, the duplicate rate, and its flags.</summary>
public sealed record DatasetHealthPoint(
    DateOnly Day,
    int FilesImported,
    int FilesRejected,
    long RowsIn,
    long RowsKept,
    double MissingShare,
    double DuplicateRate,
    double? TrailingMedian,
    HealthFlags Flags,
    double? TrailingMean = null);

/// <summary>
/// A dataset's days, every calendar day from its first to its last (days without rows are zeros), counted by the date
/// column <paramref name="DateColumn"/> of the rows, or by the day of their import when it is null.
/// </summary>
public sealed record DatasetHealthSeries(string Dataset, IReadOnlyList<DatasetHealthPoint> Days, string? DateColumn = null)
{
    /// <summary>What the days are: "by transaction_date", or "by import day".</summary>
    public string DaysBy => DateColumn is null ? "by import day" : $"by {DateColumn}";

    public IEnumerable<DatasetHealthPoint> Flagged => Days.Where(d => d.Flags != HealthFlags.None);
}

/// <summary>Data health per dataset and day (rows, empty values, duplicates, flags), for the Uploads page's chart and the API.</summary>
public sealed class DatasetHealthQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    public const int TrailingDays = 7;
    public const double DropThreshold = 0.5;
    public const double SpikeThreshold = 2.0;

    /// <summary>The fewest days before a day that a spike is judged against.</summary>
    public const int SpikeMinimumDays = 3;

    /// <summary>The dataset's series, optionally only from and to the given days (flags still look at the days before).</summary>
    public async Task<DatasetHealthSeries> SeriesAsync(string dataset, DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.DatasetHealthDays.AsNoTracking().Where(d => d.Dataset == dataset).OrderBy(d => d.Day).ToListAsync(cancellationToken);
        var days = Series(rows);
        return new DatasetHealthSeries(dataset, [.. days.Where(d => (from is null || d.Day >= from) && (to is null || d.Day <= to))],
            DatasetCatalog.Find(dataset)?.HealthDate);
    }

    /// <summary>Every calendar day from the first to the last stored one, gaps as zeros, each with its flags.</summary>
    public static IReadOnlyList<DatasetHealthPoint> Series(IReadOnlyList<DatasetHealthDay> stored)
    {
        if (stored.Count == 0)
        {
            return [];
        }

        var byDay = stored.ToDictionary(d => d.Day);
        var first = stored.Min(d => d.Day);
        var last = stored.Max(d => d.Day);
        var all = new List<DatasetHealthDay>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            all.Add(byDay.GetValueOrDefault(day) ?? new DatasetHealthDay { Dataset = stored[0].Dataset, Day = day });
        }

        var firstWithRows = all.FindIndex(d => d.RowsKept > 0);
        var points = new List<DatasetHealthPoint>(all.Count);
        for (var i = 0; i < all.Count; i++)
        {
            var day = all[i];
            var window = all.Skip(Math.Max(0, i - TrailingDays)).Take(Math.Min(i, TrailingDays)).Select(d => d.RowsKept).ToList();
            double? mean = window.Count == 0 ? null : window.Average();
            double? median = window.Count == 0 ? null : Median(window);
            var flags = HealthFlags.None;
            if (day.RowsKept == 0 && firstWithRows >= 0 && i > firstWithRows)
            {
                flags |= HealthFlags.ZeroDay;
            }
            else if (day.RowsKept > 0 && median is > 0 && day.RowsKept < DropThreshold * median)
            {
                flags |= HealthFlags.SuddenDrop;
            }
            else if (window.Count >= SpikeMinimumDays && mean is > 0 && day.RowsKept > SpikeThreshold * mean)
            {
                flags |= HealthFlags.Spike;
            }

            points.Add(new DatasetHealthPoint(day.Day, day.FilesImported, day.FilesRejected, day.RowsIn, day.RowsKept, day.MissingShare, day.DuplicateRate,
                median, flags, mean));
        }

        return points;
    }

    private static double Median(List<long> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
    }
}
