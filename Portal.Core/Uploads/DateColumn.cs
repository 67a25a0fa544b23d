using System.Globalization;
using Parquet.Schema;

namespace Portal.Core.Uploads;

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
