using System.Runtime.InteropServices;

namespace Portal.Core.Uploads;

/// <summary>
/// Counts a file's rows by the UTC day of its date column, for data health by the data's own date. The reader counts
/// the rows read (<see cref="Read"/>) and the writer the rows kept (<see cref="Kept"/>), each in a map of its own, so
/// the two stages never share one; <see cref="Days"/> joins them once the file is read. A row without a date is in the
/// file's catalog row only.
/// </summary>
internal sealed class RowsByDay(int dateColumn, int columnCount)
{
    private readonly Dictionary<int, (long RowsIn, long MissingRequired, long MissingValues)> _read = [];
    private readonly Dictionary<int, long> _kept = [];

    /// <summary>The column (by the schema's index) whose day a row counts on.</summary>
    public int DateColumn { get; } = dateColumn;

    /// <summary>A row read (the reader's stage): its date's column, its empty values, and whether a required one is among them.</summary>
    public void Read(ColumnBuffer date, int row, int missingValues, bool requiredMissing)
    {
        if (date.IsNull(row))
        {
            return;
        }

        ref var day = ref CollectionsMarshal.GetValueRefOrAddDefault(_read, DayNumber(date.DateTime(row)), out _);
        day.RowsIn++;
        day.MissingValues += missingValues;
        if (requiredMissing)
        {
            day.MissingRequired++;
        }
    }

    /// <summary>The first <paramref name="count"/> rows of a batch, kept (the writer's stage).</summary>
    public void Kept(ColumnBuffer date, int count)
    {
        for (var row = 0; row < count; row++)
        {
            if (!date.IsNull(row))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_kept, DayNumber(date.DateTime(row)), out _)++;
            }
        }
    }

    /// <summary>Every day with a row read, in order.</summary>
    public IReadOnlyList<HealthDayCounts> Days() =>
    [
        .. _read.OrderBy(d => d.Key).Select(d =>
        {
            var kept = _kept.GetValueOrDefault(d.Key);
            return new HealthDayCounts(DateOnly.FromDayNumber(d.Key), d.Value.RowsIn, kept, Math.Max(0, d.Value.RowsIn - kept - d.Value.MissingRequired),
                d.Value.MissingValues, d.Value.RowsIn * columnCount);
        }),
    ];

    private static int DayNumber(DateTime value) => (int)(value.Ticks / TimeSpan.TicksPerDay);
}
