namespace Portal.Core.Uploads;

/// <summary>
/// A dataset loaded into a SQLite table: each key with its row's hash on disk in the import's
/// <see cref="SqliteTableStage"/>, found through a <see cref="KeyFilter"/> of fixed size, so memory stays at the
/// batches and the filter whatever the file's length. The reader settles a new key; the writer, in file order, a key
/// that may have been seen. Rows whose key is missing go to <see cref="HashedDeduplication"/>.
/// </summary>
internal sealed class StagedDeduplication(int keyColumn, SqliteTableStage stage, KeyFilter filter, HashedDeduplication withoutKey) : IRowDeduplication
{
    private readonly HashSet<(long Key, long Hash)> _moreHashes = [];

    public bool Admit(ImportBatch batch, int row, UInt128 rowHash, bool anyRequiredMissing, DropCounts counts)
    {
        var key = batch.Columns[keyColumn];
        if (key.IsNull(row))
        {
            return withoutKey.Admit(batch, row, rowHash, anyRequiredMissing, counts);
        }

        // Decided by the writer against the stage, in file order; only a new key without missing values is certain here.
        var repeat = filter.TestAndAdd(key.Int64(row));
        batch.States[row] = repeat
            ? anyRequiredMissing ? RowState.RepeatMissing : RowState.Repeat
            : anyRequiredMissing ? RowState.NewMissing : RowState.New;
        batch.Hashes[row] = (long)(ulong)rowHash;
        if (!repeat && anyRequiredMissing)
        {
            counts.Missing++;
        }

        return true;
    }

    /// <summary>
    /// A row with a new key is staged (kept, or only noted when a value is missing or the table has the key); a row
    /// whose key may have been seen is settled against the staged row with that key, as <see cref="KeyedDeduplication"/>
    /// settles it in memory: the same row is a duplicate, a row with a missing value is dropped, a key already taken
    /// drops the row, and a key only noted is taken by this row.
    /// </summary>
    public void Settle(ImportBatch batch, Int64Column keys, HashSet<long> inTable, bool[] keep, DropCounts counts)
    {
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
                    keep[i] = false;
                    if (first == hash || !_moreHashes.Add((key, hash)))
                    {
                        counts.Duplicates++;
                    }
                    else if (state == RowState.RepeatMissing)
                    {
                        counts.Missing++;
                    }
                    else if (taken != StageState.Seen)
                    {
                        counts.Existing++;
                    }
                    else if (inTable.Contains(key))
                    {
                        stage.Replace(key, first, StageState.Stored);
                        counts.ExistingInTable++;
                    }
                    else
                    {
                        stage.Replace(key, first, StageState.Kept);
                        keep[i] = true;
                    }

                    continue;
                }

                // the filter's rare false "maybe": a new key after all
                if (state == RowState.RepeatMissing)
                {
                    counts.Missing++;
                }

                state = state == RowState.RepeatMissing ? RowState.NewMissing : RowState.New;
            }

            if (state == RowState.NewMissing)
            {
                stage.Add(key, hash, StageState.Seen);
                keep[i] = false;
            }
            else if (inTable.Contains(key))
            {
                stage.Add(key, hash, StageState.Stored);
                keep[i] = false;
                counts.ExistingInTable++;
            }
            else
            {
                stage.Add(key, hash, StageState.Kept);
            }
        }

        stage.Commit();
    }
}
