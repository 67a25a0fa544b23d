using Parquet;
using Parquet.Schema;

namespace Portal.Core.Uploads;

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
