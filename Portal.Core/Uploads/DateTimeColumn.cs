using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Portal.Core.Uploads;

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
