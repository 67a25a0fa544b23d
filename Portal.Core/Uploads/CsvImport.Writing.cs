using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Parquet;
using Sylvan.Data.Csv;

namespace Portal.Core.Uploads;

/// <summary>The writer's stage: a batch checked against the database, then written as a Parquet row group; and the batch itself.</summary>
internal sealed partial class CsvImport
{
    /// <summary>Checks the batch against the database (keys already in the table, users referenced), then writes what is kept as a row group. The writer's stage.</summary>
    private async Task FlushAsync(ImportBatch batch, ParquetWriter writer, CancellationToken cancellationToken)
    {
        var count = batch.Count;
        var columns = batch.Columns;
        if (count == 0)
        {
            return;
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

            var stored = await _lookup.ExistingAsync(_schema.Table!, _keyValues.AsMemory(0, candidates), cancellationToken);
            _deduplication.Settle(batch, keys, stored, _keep, _writerDrops);
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
                            $"line {batch.Lines[i]}, column {_fileColumnOf[c] + 1} (\"{columns[c].Column.Name}\"): {columns[c].Int64(i)} is not in {table}; import the {table} first."),
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

        _days?.Kept(columns[_days.DateColumn], kept);
        if (kept > 0)
        {
            using var group = writer.CreateRowGroup();
            for (var c = 0; c < columns.Length; c++)
            {
                // the fields of the writer's schema are the first batch's
                await columns[c].WriteAsync(group, _batches[0].Columns[c].Field, kept, cancellationToken);
            }
        }

        _rowsKept += kept;
        batch.Count = 0;
    }
}
