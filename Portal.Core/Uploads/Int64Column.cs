using System.Globalization;
using Parquet.Schema;

namespace Portal.Core.Uploads;

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
