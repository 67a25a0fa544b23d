using System.Globalization;
using Parquet.Schema;

namespace Portal.Core.Uploads;

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
