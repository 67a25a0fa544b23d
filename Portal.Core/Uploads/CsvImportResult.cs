namespace Portal.Core.Uploads;

/// <summary>
/// What reading a CSV file gave: rows in, kept and dropped by reason, missing values, the file's size and SHA-256, and
/// by table referred to (users), the keys the rows kept refer to (sorted), for a last check in the commit's transaction.
/// </summary>
public sealed record CsvImportResult(long RowsIn, long RowsKept, long DroppedDuplicate, long DroppedMissing, long DroppedExistingKey,
    long MissingValues, long Cells, long Bytes, string Checksum)
{
    public IReadOnlyDictionary<string, long[]> ReferencedKeys { get; init; } = new Dictionary<string, long[]>();

    /// <summary>For a dataset dated by its own column (<see cref="DatasetSchema.HealthDate"/>), the rows by their day; else null.</summary>
    public IReadOnlyList<HealthDayCounts>? Days { get; init; }
}
