namespace Portal.Core.Uploads;

/// <summary>
/// What a file brought to one day of a dataset dated by its own column (<see cref="DatasetSchema.HealthDate"/>): rows
/// read with that date, rows kept, rows dropped as duplicates or for a key already stored (read, neither kept nor
/// missing a required value), and the empty values and cells of the rows read.
/// </summary>
public sealed record HealthDayCounts(DateOnly Day, long RowsIn, long RowsKept, long DuplicateRows, long MissingValues, long Cells);
