namespace Portal.Core.Uploads;

/// <summary>The de-duplication an import's dataset calls for.</summary>
internal static class RowDeduplication
{
    /// <summary>
    /// A dataset loaded into a table, keyed by one required Int64 and with no stored keys given: the keys seen so far
    /// on disk in the import's <paramref name="stage"/> (SQLite), or in memory without one. Any other dataset: sets of
    /// hashes, the keys already stored in <paramref name="storedKeys"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A stage for a dataset that cannot be staged.</exception>
    public static IRowDeduplication For(DatasetSchema schema, HashSet<UInt128> storedKeys, SqliteTableStage? stage, int keyFilterBits = KeyFilter.DefaultBits)
    {
        var hashed = new HashedDeduplication(schema, storedKeys);
        if (schema.Table is not null && storedKeys.Count == 0 && schema.Columns.Where(c => c.Key).ToList() is [{ Type: ColumnType.Int64, Required: true } key])
        {
            var index = schema.IndexOf(key.Name);
            return stage is null ? new KeyedDeduplication(index, hashed) : new StagedDeduplication(index, stage, new KeyFilter(keyFilterBits), hashed);
        }

        return stage is null ? hashed : throw new ArgumentException($"{schema.Name} is not keyed by one required Int64: it cannot be staged.", nameof(stage));
    }

    /// <summary>The in-memory strategies' writer half: a row whose key the table has is dropped.</summary>
    internal static void DropStored(ImportBatch batch, Int64Column keys, HashSet<long> inTable, bool[] keep, DropCounts counts)
    {
        for (var i = 0; i < batch.Count && inTable.Count > 0; i++)
        {
            if (inTable.Contains(keys.Int64(i)))
            {
                keep[i] = false;
                counts.ExistingInTable++;
            }
        }
    }
}
