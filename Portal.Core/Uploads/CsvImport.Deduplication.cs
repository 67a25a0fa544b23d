using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Parquet;
using Sylvan.Data.Csv;

namespace Portal.Core.Uploads;

/// <summary>Dropping rows equal to earlier ones or with a key already kept or stored: one way per kind of dataset.</summary>
internal sealed partial class CsvImport
{
    /// <summary>Any dataset: a set of row hashes (128 bits), then a set of key hashes. Whether the row is kept.</summary>
    private bool Hashed(int row, UInt128 rowHash, bool anyRequiredMissing)
    {
        if (!_rowHashes.Add(rowHash))
        {
            _duplicates++;
            return false;
        }

        if (anyRequiredMissing)
        {
            _missing++;
            return false;
        }

        if (!_keyHashes.Add(KeyHash(row)))
        {
            _existing++;
            return false;
        }

        return true;
    }

    /// <summary>A dataset keyed by one required Int64 (those loaded into a table): one map from the key to its rows' hashes. The same outcome as <see cref="Hashed"/>.</summary>
    private bool Keyed(KeyedRows keyed, long key, UInt128 rowHash, bool anyRequiredMissing)
    {
        ref var entry = ref keyed.Entry(key, rowHash, out var duplicate);
        if (duplicate)
        {
            _duplicates++;
            return false;
        }

        if (anyRequiredMissing)
        {
            _missing++;
            return false;
        }

        if (!KeyedRows.TakeKey(ref entry))
        {
            _existing++;
            return false;
        }

        return true;
    }

    private UInt128 KeyHash(int row)
    {
        var bytes = new CanonicalBytes(_scratch);
        foreach (var k in _keyColumns)
        {
            Columns[k].AppendCanonical(row, ref bytes);
        }

        _scratch = bytes.Buffer;
        return bytes.Hash();
    }

    /// <summary>
    /// The writer's half of de-duplication with a stage, in file order: a row with a new key is staged (kept, or only
    /// noted when a value is missing or the table has the key); a row whose key may have been seen is settled against the
    /// staged row with that key, as <see cref="Keyed"/> settles it in memory: the same row is a duplicate, a row with a
    /// missing value is dropped, a key already taken drops the row, and a key only noted is taken by this row.
    /// </summary>
    private void Stage(Batch batch, Int64Column keys, HashSet<long> inTable)
    {
        var stage = _stage!;
        stage.Begin();
        for (var i = 0; i < batch.Count; i++)
        {
            var key = keys.Int64(i);
            var hash = batch.Hashes[i];
            var state = batch.States[i];
            if (state is RowState.Repeat or RowState.RepeatMissing)
            {
                var (found, first, taken) = stage.Find(key);
                if (found)
                {
                    _keep[i] = false;
                    if (first == hash || !_moreHashes.Add((key, hash)))
                    {
                        _duplicates++;
                    }
                    else if (state == RowState.RepeatMissing)
                    {
                        _missing++;
                    }
                    else if (taken != StageState.Seen)
                    {
                        _existing++;
                    }
                    else if (inTable.Contains(key))
                    {
                        stage.Replace(key, first, StageState.Stored);
                        _existingInTable++;
                    }
                    else
                    {
                        stage.Replace(key, first, StageState.Kept);
                        _keep[i] = true;
                    }

                    continue;
                }

                // the filter's rare false "maybe": a new key after all
                if (state == RowState.RepeatMissing)
                {
                    _missing++;
                }

                state = state == RowState.RepeatMissing ? RowState.NewMissing : RowState.New;
            }

            if (state == RowState.NewMissing)
            {
                stage.Add(key, hash, StageState.Seen);
                _keep[i] = false;
            }
            else if (inTable.Contains(key))
            {
                stage.Add(key, hash, StageState.Stored);
                _keep[i] = false;
                _existingInTable++;
            }
            else
            {
                stage.Add(key, hash, StageState.Kept);
            }
        }

        stage.Commit();
    }
}
