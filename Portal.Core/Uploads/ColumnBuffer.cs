using Parquet;
using Parquet.Schema;

namespace Portal.Core.Uploads;

/// <summary>
/// One column of a batch of rows (a Parquet row group): values parsed from CSV text or read from Parquet, kept in typed
/// arrays reused from one batch to the next, written to and read from Parquet with its column API, and appended to a
/// row's canonical bytes for hashing (the same bytes whether the value came from CSV or from a stored file).
/// </summary>
internal abstract class ColumnBuffer(DatasetColumn column, int capacity)
{
    public DatasetColumn Column { get; } = column;

    public bool Nullable => !Column.Required;

    protected bool[] Nulls { get; } = new bool[capacity];

    public int Capacity => Nulls.Length;

    public bool IsNull(int row) => Nulls[row];

    /// <summary>The Parquet field this column is written as.</summary>
    public abstract DataField Field { get; }

    /// <summary>Sets the row's value from CSV text; a blank value is null. Returns why the text is not a value of this type.</summary>
    public string? Parse(int row, ReadOnlySpan<char> text)
    {
        if (text.IsWhiteSpace())
        {
            Nulls[row] = true;
            ClearValue(row);
            return null;
        }

        Nulls[row] = false;
        return ParseValue(row, text);
    }

    protected abstract string? ParseValue(int row, ReadOnlySpan<char> text);

    /// <summary>Forgets the row's value when it is missing (text columns: written as null).</summary>
    protected virtual void ClearValue(int row)
    {
    }

    /// <summary>Moves a row's value down while a batch is compacted.</summary>
    public void Move(int from, int to)
    {
        Nulls[to] = Nulls[from];
        MoveValue(from, to);
    }

    protected abstract void MoveValue(int from, int to);

    /// <summary>Appends the row's value to <paramref name="bytes"/>: a type tag, then a fixed form of the value (nothing for null).</summary>
    public void AppendCanonical(int row, ref CanonicalBytes bytes)
    {
        if (Nulls[row])
        {
            bytes.Byte(0);
            return;
        }

        AppendValue(row, ref bytes);
    }

    protected abstract void AppendValue(int row, ref CanonicalBytes bytes);

    /// <summary>Writes the first <paramref name="count"/> rows as <paramref name="field"/>: this column's <see cref="Field"/> or its twin's in the writer's schema.</summary>
    public abstract Task WriteAsync(ParquetRowGroupWriter group, DataField field, int count, CancellationToken cancellationToken);

    /// <summary>Reads the first <paramref name="count"/> rows of a stored row group's column (the field as the file has it).</summary>
    public abstract Task ReadAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken);

    /// <summary>The value as a CLR object (null when missing), for bulk copies.</summary>
    public abstract object? Value(int row);

    public virtual long Int64(int row) => throw new InvalidOperationException($"{Column.Name} is not an Int64 column.");

    public virtual double Double(int row) => throw new InvalidOperationException($"{Column.Name} is not a Double column.");

    public virtual decimal Decimal(int row) => throw new InvalidOperationException($"{Column.Name} is not a Decimal column.");

    public virtual string? String(int row) => throw new InvalidOperationException($"{Column.Name} is not a String column.");

    public virtual DateTime DateTime(int row) => throw new InvalidOperationException($"{Column.Name} is not a DateTime column.");

    public static ColumnBuffer For(DatasetColumn column, int capacity) => column.Type switch
    {
        ColumnType.Int64 => new Int64Column(column, capacity),
        ColumnType.Decimal => new DecimalColumn(column, capacity),
        ColumnType.Double => new DoubleColumn(column, capacity),
        ColumnType.String => new StringColumn(column, capacity),
        ColumnType.DateTime => new DateTimeColumn(column, capacity),
        ColumnType.Date => new DateColumn(column, capacity),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown column type."),
    };

    /// <summary>The Parquet schema of these columns (a field is written through the schema it belongs to).</summary>
    public static ParquetSchema SchemaOf(IEnumerable<ColumnBuffer> columns) => new(columns.Select(c => c.Field));

    protected static string NotA(string what) => $"is not a valid {what}";
}
