using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
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
    public string? Parse(int row, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            Nulls[row] = true;
            return null;
        }

        Nulls[row] = false;
        return ParseValue(row, text);
    }

    protected abstract string? ParseValue(int row, string text);

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

    public abstract Task WriteAsync(ParquetRowGroupWriter group, int count, CancellationToken cancellationToken);

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

/// <summary>A value type column: values, and null flags for optional columns.</summary>
internal abstract class StructColumn<T>(DatasetColumn column, int capacity) : ColumnBuffer(column, capacity) where T : struct
{
    protected T[] Values { get; } = new T[capacity];
    private T?[]? _nullable;

    protected override void MoveValue(int from, int to) => Values[to] = Values[from];

    public override object? Value(int row) => Nulls[row] ? null : Values[row];

    public override async Task WriteAsync(ParquetRowGroupWriter group, int count, CancellationToken cancellationToken)
    {
        if (!Nullable)
        {
            await group.WriteAsync<T>(Field, Values.AsMemory(0, count), cancellationToken: cancellationToken);
            return;
        }

        _nullable ??= new T?[Capacity];
        for (var i = 0; i < count; i++)
        {
            _nullable[i] = Nulls[i] ? null : Values[i];
        }

        await group.WriteAsync<T>(Field, _nullable.AsMemory(0, count), cancellationToken: cancellationToken);
    }

    public override async Task ReadAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken)
    {
        if (!field.IsNullable)
        {
            await group.ReadAsync<T>(field, Values.AsMemory(0, count), cancellationToken: cancellationToken);
            Array.Clear(Nulls, 0, count);
            return;
        }

        _nullable ??= new T?[Capacity];
        await group.ReadAsync<T>(field, _nullable.AsMemory(0, count), cancellationToken: cancellationToken);
        for (var i = 0; i < count; i++)
        {
            Nulls[i] = !_nullable[i].HasValue;
            Values[i] = _nullable[i].GetValueOrDefault();
        }
    }
}

internal sealed class Int64Column(DatasetColumn column, int capacity) : StructColumn<long>(column, capacity)
{
    public override DataField Field { get; } = new DataField<long>(column.Name, nullable: !column.Required);

    protected override string? ParseValue(int row, string text)
    {
        if (!long.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return NotA("Int64");
        }

        if (value < (Column.Minimum ?? long.MinValue) || value > (Column.Maximum ?? long.MaxValue))
        {
            return string.Create(CultureInfo.InvariantCulture, $"is not between {Column.Minimum ?? long.MinValue} and {Column.Maximum ?? long.MaxValue}");
        }

        Values[row] = value;
        return null;
    }

    protected override void AppendValue(int row, ref CanonicalBytes bytes)
    {
        bytes.Byte(1);
        bytes.Int64(Values[row]);
    }

    public override long Int64(int row) => Values[row];
}

/// <summary>Money: decimal(18,2). More than two decimal places, or more than 16 digits before the point, is refused rather than rounded.</summary>
internal sealed class DecimalColumn(DatasetColumn column, int capacity) : StructColumn<decimal>(column, capacity)
{
    public const int Precision = 18;
    public const int Scale = 2;
    private const decimal Limit = 10_000_000_000_000_000m; // 10^16: 16 digits before the point

    public override DataField Field { get; } = new DecimalDataField(column.Name, Precision, Scale, isNullable: !column.Required);

    protected override string? ParseValue(int row, string text)
    {
        if (!decimal.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return NotA("Decimal");
        }

        if (decimal.Round(value, Scale) != value)
        {
            return $"has more than {Scale} decimal places";
        }

        if (Math.Abs(value) >= Limit)
        {
            return $"is too large for decimal({Precision},{Scale})";
        }

        Values[row] = value;
        return null;
    }

    protected override void AppendValue(int row, ref CanonicalBytes bytes)
    {
        bytes.Byte(2);
        bytes.Int64(decimal.ToInt64(Values[row] * 100m)); // in cents: 1.5 and 1.50 are the same
    }

    public override decimal Decimal(int row) => Values[row];
}

internal sealed class DoubleColumn(DatasetColumn column, int capacity) : StructColumn<double>(column, capacity)
{
    public override DataField Field { get; } = new DataField<double>(column.Name, nullable: !column.Required);

    protected override string? ParseValue(int row, string text)
    {
        if (!double.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return NotA("Double");
        }

        Values[row] = value == 0 ? 0 : value; // -0 is 0
        return null;
    }

    protected override void AppendValue(int row, ref CanonicalBytes bytes)
    {
        bytes.Byte(3);
        bytes.Int64(BitConverter.DoubleToInt64Bits(Values[row]));
    }

    public override double Double(int row) => Values[row];
}

/// <summary>UTC date and time, stored to the microsecond (Parquet's timestamp), so a value read back hashes as it was parsed.</summary>
internal sealed class DateTimeColumn(DatasetColumn column, int capacity) : StructColumn<DateTime>(column, capacity)
{
    /// <summary>ISO 8601, with a space or a T, seconds and fractions optional, and an optional Z or offset (none means UTC).</summary>
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mmK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public override DataField Field { get; } = new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true,
        unit: DateTimeTimeUnit.Micros, isNullable: !column.Required);

    protected override string? ParseValue(int row, string text)
    {
        if (!System.DateTime.TryParseExact(text.AsSpan().Trim(), Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
        {
            return NotA("DateTime (write it like 2024-03-01 14:05:00)");
        }

        Values[row] = Micros(value);
        return null;
    }

    private static DateTime Micros(DateTime value) => new(value.Ticks - (value.Ticks % 10), DateTimeKind.Utc);

    public override async Task ReadAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken)
    {
        await base.ReadAsync(group, field, count, cancellationToken);
        for (var i = 0; i < count; i++)
        {
            Values[i] = System.DateTime.SpecifyKind(Values[i], DateTimeKind.Utc);
        }
    }

    protected override void AppendValue(int row, ref CanonicalBytes bytes)
    {
        bytes.Byte(5);
        bytes.Int64(Values[row].Ticks);
    }

    public override DateTime DateTime(int row) => Values[row];
}

internal sealed class DateColumn(DatasetColumn column, int capacity) : StructColumn<DateOnly>(column, capacity)
{
    public override DataField Field { get; } = new DataField<DateOnly>(column.Name, nullable: !column.Required);

    protected override string? ParseValue(int row, string text)
    {
        if (!DateOnly.TryParseExact(text.AsSpan().Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return NotA("Date (write it like 2024-03-01)");
        }

        Values[row] = value;
        return null;
    }

    protected override void AppendValue(int row, ref CanonicalBytes bytes)
    {
        bytes.Byte(6);
        bytes.Int64(Values[row].DayNumber);
    }

    public override DateTime DateTime(int row) => Values[row].ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
}

/// <summary>Text, kept as written (only a blank value counts as missing).</summary>
internal sealed class StringColumn(DatasetColumn column, int capacity) : ColumnBuffer(column, capacity)
{
    private readonly string?[] _values = new string?[capacity];

    public override DataField Field { get; } = new DataField<string>(column.Name, nullable: !column.Required);

    protected override string? ParseValue(int row, string text)
    {
        if (text.Length > Column.MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"is longer than {Column.MaxLength} characters");
        }

        _values[row] = text;
        return null;
    }

    protected override void MoveValue(int from, int to) => _values[to] = _values[from];

    protected override void AppendValue(int row, ref CanonicalBytes bytes)
    {
        bytes.Byte(4);
        bytes.Text(_values[row]!);
    }

    public override object? Value(int row) => Nulls[row] ? null : _values[row];

    public override string? String(int row) => Nulls[row] ? null : _values[row];

    public override Task WriteAsync(ParquetRowGroupWriter group, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            if (Nulls[i])
            {
                _values[i] = null;
            }
        }

        return group.WriteAsync(Field, new ArraySegment<string>(_values!, 0, count));
    }

    public override async Task ReadAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken)
    {
        await group.ReadAsync(field, _values.AsMemory(0, count)!, cancellationToken: cancellationToken);
        for (var i = 0; i < count; i++)
        {
            Nulls[i] = _values[i] is null;
        }
    }

    /// <summary>Drops the references of a finished batch, so its strings can be collected.</summary>
    public void Clear() => Array.Clear(_values);
}

/// <summary>A reusable buffer of a row's (or key's) canonical bytes, hashed with XxHash128.</summary>
internal ref struct CanonicalBytes(byte[] buffer)
{
    private byte[] _buffer = buffer;
    private int _length;

    public readonly ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public readonly byte[] Buffer => _buffer;

    public void Byte(byte value)
    {
        Room(1);
        _buffer[_length++] = value;
    }

    public void Int64(long value)
    {
        Room(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void Text(string value)
    {
        var bytes = MemoryMarshal.AsBytes(value.AsSpan());
        Room(4 + bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value.Length);
        bytes.CopyTo(_buffer.AsSpan(_length + 4));
        _length += 4 + bytes.Length;
    }

    public readonly UInt128 Hash() => System.IO.Hashing.XxHash128.HashToUInt128(Span);

    private void Room(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}
