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

/// <summary>A value type column: values, and null flags for optional columns.</summary>
internal abstract class StructColumn<T>(DatasetColumn column, int capacity) : ColumnBuffer(column, capacity) where T : struct
{
    protected T[] Values { get; } = new T[capacity];
    private T?[]? _nullable;

    protected override void MoveValue(int from, int to) => Values[to] = Values[from];

    public override object? Value(int row) => Nulls[row] ? null : Values[row];

    public override async Task WriteAsync(ParquetRowGroupWriter group, DataField field, int count, CancellationToken cancellationToken)
    {
        if (!Nullable)
        {
            await group.WriteAsync<T>(field, Values.AsMemory(0, count), cancellationToken: cancellationToken);
            return;
        }

        _nullable ??= new T?[Capacity];
        for (var i = 0; i < count; i++)
        {
            _nullable[i] = Nulls[i] ? null : Values[i];
        }

        await group.WriteAsync<T>(field, _nullable.AsMemory(0, count), cancellationToken: cancellationToken);
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

    protected override string? ParseValue(int row, ReadOnlySpan<char> text)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
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

    protected override string? ParseValue(int row, ReadOnlySpan<char> text)
    {
        var span = text.Trim();
        if (TryParseCents(span, out var value))
        {
            // at most 16 digits and 2 decimals: within decimal(18,2) by construction
            Values[row] = value;
            return null;
        }

        if (!decimal.TryParse(span, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
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

    /// <summary>
    /// The common form, <c>-?d{1,16}(.d{1,2})?</c>, without <see cref="decimal.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out decimal)"/>:
    /// the same value and scale it gives. Anything else (and a negative zero) is left to it.
    /// </summary>
    internal static bool TryParseCents(ReadOnlySpan<char> text, out decimal value)
    {
        value = 0;
        var negative = text.Length > 0 && text[0] == '-';
        var i = negative ? 1 : 0;
        long units = 0;
        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            units = (units * 10) + (text[i++] - '0');
            digits++;
        }

        if (digits is 0 or > 16)
        {
            return false;
        }

        byte scale = 0;
        if (i < text.Length)
        {
            if (text[i++] != '.')
            {
                return false;
            }

            while (i < text.Length && char.IsAsciiDigit(text[i]) && scale < Scale)
            {
                units = (units * 10) + (text[i++] - '0');
                scale++;
            }

            if (scale == 0 || i != text.Length)
            {
                return false;
            }
        }

        if (negative && units == 0)
        {
            return false;
        }

        value = new decimal((int)(units & 0xFFFFFFFF), (int)(units >> 32), 0, negative, scale);
        return true;
    }

    protected override void AppendValue(int row, ref CanonicalBytes bytes)
    {
        bytes.Byte(2);
        bytes.Int64(Cents(Values[row])); // in cents: 1.5 and 1.50 are the same
    }

    /// <summary>The value in cents (it has at most 2 decimals): from its digits and scale when they are below 2^56, as they are below 10^16.</summary>
    internal static long Cents(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = value.Scale;
        var units = ((long)bits[1] << 32) | (uint)bits[0];
        if (bits[2] == 0 && units is >= 0 and < 1L << 56 && scale <= Scale)
        {
            var cents = units * (scale == 0 ? 100 : scale == 1 ? 10 : 1);
            return bits[3] < 0 ? -cents : cents;
        }

        return decimal.ToInt64(value * 100m);
    }

    public override decimal Decimal(int row) => Values[row];
}

internal sealed class DoubleColumn(DatasetColumn column, int capacity) : StructColumn<double>(column, capacity)
{
    public override DataField Field { get; } = new DataField<double>(column.Name, nullable: !column.Required);

    protected override string? ParseValue(int row, ReadOnlySpan<char> text)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
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
    internal static readonly string[] Formats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mmK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public override DataField Field { get; } = new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true,
        unit: DateTimeTimeUnit.Micros, isNullable: !column.Required);

    protected override string? ParseValue(int row, ReadOnlySpan<char> text)
    {
        var span = text.Trim();
        if (!TryParseIso(span, out var value) && !System.DateTime.TryParseExact(span, Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value))
        {
            return NotA("DateTime (write it like 2024-03-01 14:05:00)");
        }

        Values[row] = Micros(value);
        return null;
    }

    /// <summary>
    /// The common forms of <see cref="Formats"/> read directly (trying thirteen formats in turn is most of the parse
    /// time): <c>yyyy-MM-dd</c>, then optionally a space or T, <c>HH:mm</c>, <c>:ss</c>, <c>.f</c> to 7 digits, and
    /// <c>Z</c> or <c>±HH:mm</c>; the UTC value <see cref="System.DateTime.TryParseExact(ReadOnlySpan{char}, string[], IFormatProvider, DateTimeStyles, out DateTime)"/>
    /// gives. Anything else, valid or not, is left to it.
    /// </summary>
    internal static bool TryParseIso(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        if (text.Length < 10 || text[4] != '-' || text[7] != '-'
            || !Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > System.DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        var ticks = new DateTime(year, month, day).Ticks;
        if (text.Length == 10)
        {
            value = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }

        if (text.Length < 16 || text[10] is not (' ' or 'T') || text[13] != ':'
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || hour > 23 || minute > 59)
        {
            return false;
        }

        ticks += (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute);
        var i = 16;
        if (i < text.Length && text[i] == ':')
        {
            if (!Digits(text, i + 1, 2, out var second) || second > 59)
            {
                return false;
            }

            ticks += second * TimeSpan.TicksPerSecond;
            i += 3;
            if (i < text.Length && text[i] == '.')
            {
                var start = ++i;
                long fraction = 0;
                while (i < text.Length && i - start < 7 && char.IsAsciiDigit(text[i]))
                {
                    fraction = (fraction * 10) + (text[i++] - '0');
                }

                if (i == start || (i < text.Length && char.IsAsciiDigit(text[i])))
                {
                    return false;
                }

                for (var d = i - start; d < 7; d++)
                {
                    fraction *= 10;
                }

                ticks += fraction;
            }
        }

        if (i == text.Length)
        {
            value = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }

        if (text[i] == 'Z' && i + 1 == text.Length)
        {
            value = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }

        if (text.Length - i != 6 || text[i] is not ('+' or '-') || text[i + 3] != ':'
            || !Digits(text, i + 1, 2, out var offsetHours) || !Digits(text, i + 4, 2, out var offsetMinutes) || offsetMinutes > 59
            || (offsetHours * 60) + offsetMinutes > 14 * 60)
        {
            return false;
        }

        var offset = ((offsetHours * TimeSpan.TicksPerHour) + (offsetMinutes * TimeSpan.TicksPerMinute)) * (text[i] == '-' ? -1 : 1);
        var utc = ticks - offset;
        if (utc < System.DateTime.MinValue.Ticks || utc > System.DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTime(utc, DateTimeKind.Utc);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        if (start + count > text.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
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

    protected override string? ParseValue(int row, ReadOnlySpan<char> text)
    {
        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
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
    private readonly StringPool _pool = new();

    public override DataField Field { get; } = new DataField<string>(column.Name, nullable: !column.Required);

    protected override string? ParseValue(int row, ReadOnlySpan<char> text)
    {
        if (text.Length > Column.MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"is longer than {Column.MaxLength} characters");
        }

        _values[row] = _pool.Get(text);
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

    protected override void ClearValue(int row) => _values[row] = null;

    /// <summary>Only reads the batch (a missing value is already null): the SQLite stage reads it at the same time.</summary>
    public override Task WriteAsync(ParquetRowGroupWriter group, DataField field, int count, CancellationToken cancellationToken)
    {
        return group.WriteAsync(field, new ArraySegment<string>(_values!, 0, count));
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

/// <summary>
/// The strings of a column, shared while they repeat (categories, merchants, cities): a short value seen before is
/// given back instead of allocated again. Bounded: once full, new values are allocated as they come.
/// </summary>
internal sealed class StringPool
{
    private const int MaxEntries = 4096;
    private const int MaxLength = 64;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength)
        {
            return text.ToString();
        }

        if (_lookup.TryGetValue(text, out var known))
        {
            return known;
        }

        var value = text.ToString();
        if (_strings.Count < MaxEntries)
        {
            _strings.Add(value, value);
        }

        return value;
    }
}
