using System.Globalization;
using Parquet.Schema;

namespace Portal.Core.Uploads;

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
