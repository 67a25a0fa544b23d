using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Portal.Core.Uploads;

/// <summary>
/// The writer's stage of a <see cref="CsvImport"/>: each batch the reader filled is checked against the database, in
/// file order, and what is kept is written as one Parquet row group. The de-duplication settles the batch's rows against
/// the keys the dataset's table already has and decides what the reader left open (with keys on disk, whether a row or
/// its key came earlier in the file); the rows it drops are counted in <see cref="Drops"/>. A row that refers to a key
/// its table does not have (a transaction whose user is not in <c>users</c>) stops the import.
/// </summary>
/// <param name="lookup">The tables' keys, for a dataset loaded into a table; null for the others.</param>
/// <param name="file">The Parquet file's schema: its row groups are written with its own fields.</param>
/// <param name="fileColumn">The column in the file (counted from 1) that a schema's column was read from, for messages.</param>
internal sealed class ImportBatchWriter(DatasetSchema schema, IRowDeduplication deduplication, TableLookup? lookup, RowsByDay? days,
    ParquetSchema file, Func<int, int> fileColumn)
{
    private readonly int[] _keyColumns = [.. schema.Columns.Select((c, i) => (c, i)).Where(x => x.c.Key).Select(x => x.i)];
    private readonly TableLookup? _lookup = schema.Table is null ? null : lookup;
    private readonly DataField[] _fields = file.DataFields;
    private readonly Dictionary<string, ReferencedKeys> _references = new(StringComparer.Ordinal);
    private bool[] _keep = [];
    private long[] _keyValues = [];

    /// <summary>Rows written.</summary>
    public long RowsKept { get; private set; }

    /// <summary>Rows the writer dropped, by reason.</summary>
    public DropCounts Drops { get; } = new();

    /// <summary>By table referred to (users), the keys the rows kept refer to, sorted.</summary>
    public Dictionary<string, long[]> UsedKeys() => _references.ToDictionary(r => r.Key, r => r.Value.Used(), StringComparer.Ordinal);

    /// <summary>
    /// Checks the batch against the database (keys already in the table, users referenced), then writes what is kept
    /// as a row group of <paramref name="writer"/> and empties the batch for the reader.
    /// </summary>
    public async Task WriteAsync(ImportBatch batch, ParquetWriter writer, CancellationToken cancellationToken)
    {
        var count = batch.Count;
        var columns = batch.Columns;
        if (count == 0)
        {
            return;
        }

        if (_keep.Length < count)
        {
            // sized once, by the first batch: every batch of an import has the same capacity
            _keep = new bool[batch.Lines.Length];
            _keyValues = new long[batch.Lines.Length];
        }

        Array.Fill(_keep, true, 0, count);
        if (_lookup is not null && _keyColumns is [var key] && columns[key] is Int64Column keys)
        {
            var candidates = 0;
            for (var i = 0; i < count; i++)
            {
                if (batch.States[i] is RowState.New or RowState.Repeat)
                {
                    _keyValues[candidates++] = keys.Int64(i);
                }
            }

            var stored = await _lookup.ExistingAsync(schema.Table!, _keyValues.AsMemory(0, candidates), cancellationToken);
            deduplication.Settle(batch, keys, stored, _keep, Drops);
        }

        for (var c = 0; c < columns.Length; c++)
        {
            if (columns[c].Column.References is not { } table || _lookup is null)
            {
                continue;
            }

            if (!_references.TryGetValue(table, out var reference))
            {
                _references[table] = reference = new ReferencedKeys(await _lookup.AllKeysAsync(table, cancellationToken));
            }

            for (var i = 0; i < count; i++)
            {
                if (!_keep[i] || columns[c].IsNull(i))
                {
                    continue;
                }

                if (!reference.Use(columns[c].Int64(i)))
                {
                    throw new ImportRejectedException(
                        string.Create(CultureInfo.InvariantCulture,
                            $"line {batch.Lines[i]}, column {fileColumn(c)} (\"{columns[c].Column.Name}\"): {columns[c].Int64(i)} is not in {table}; import the {table} first."),
                        ImportRejection.Reference, batch.Lines[i], columns[c].Column.Name);
                }
            }
        }

        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (!_keep[i])
            {
                continue;
            }

            if (i != kept)
            {
                foreach (var column in columns)
                {
                    column.Move(i, kept);
                }

                batch.Lines[kept] = batch.Lines[i];
            }

            kept++;
        }

        days?.Kept(columns[days.DateColumn], kept);
        if (kept > 0)
        {
            using var group = writer.CreateRowGroup();
            for (var c = 0; c < columns.Length; c++)
            {
                // a field attached to the file's schema: a batch's own field is its twin, not attached to it
                await columns[c].WriteAsync(group, _fields[c], kept, cancellationToken);
            }
        }

        RowsKept += kept;
        batch.Count = 0;
    }
}
