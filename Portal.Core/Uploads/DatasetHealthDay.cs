namespace Portal.Core.Uploads;

/// <summary>
/// A row of <c>dataset_health_days</c>, the data-health metrics: per dataset and UTC day, what arrived and how
/// healthy it was. The day is the rows' own date where the dataset has one (<see cref="DatasetSchema.HealthDate"/>),
/// else the day of the import. Counters only; shares are computed when read.
/// </summary>
public sealed class DatasetHealthDay
{
    public required string Dataset { get; set; }
    public DateOnly Day { get; set; }
    public int FilesImported { get; set; }
    public int FilesRejected { get; set; }
    public long RowsIn { get; set; }
    public long RowsKept { get; set; }

    /// <summary>Rows dropped as duplicates: equal to an earlier row, or a key already stored.</summary>
    public long DuplicateRows { get; set; }

    public long MissingValues { get; set; }

    /// <summary>Every cell of the rows read (rows × columns), the denominator of the missing-value share.</summary>
    public long Cells { get; set; }

    public double MissingShare => Cells == 0 ? 0 : (double)MissingValues / Cells;

    public double DuplicateRate => RowsIn == 0 ? 0 : (double)DuplicateRows / RowsIn;
}
