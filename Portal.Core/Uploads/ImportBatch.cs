namespace Portal.Core.Uploads;

/// <summary>One batch of an import's rows: typed columns, each row's line in the file, and what the reader knew of its key.</summary>
internal sealed class ImportBatch(DatasetSchema schema, int size)
{
    public ColumnBuffer[] Columns { get; } = [.. schema.Columns.Select(c => ColumnBuffer.For(c, size))];

    public long[] Lines { get; } = new long[size];

    /// <summary>With a stage: what the reader knew of each row's key, and the row's hash, for the writer to settle.</summary>
    public RowState[] States { get; } = new RowState[size];

    public long[] Hashes { get; } = new long[size];

    public int Count { get; set; }
}
