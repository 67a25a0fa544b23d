using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Portal.Core.Uploads;

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
