namespace Portal.Core.Uploads;

/// <summary>
/// A dataset keyed by one required Int64 without a stage (SQL Server): one map in memory from the key to its rows'
/// hashes (<see cref="KeyedRows"/>, about 28–56 bytes a key), with the same outcome as <see cref="HashedDeduplication"/>,
/// which takes the rows whose key is missing.
/// </summary>
internal sealed class KeyedDeduplication(int keyColumn, HashedDeduplication withoutKey) : IRowDeduplication
{
    private readonly KeyedRows _keyed = new();

    public bool Admit(ImportBatch batch, int row, UInt128 rowHash, bool anyRequiredMissing, DropCounts counts)
    {
        var key = batch.Columns[keyColumn];
        if (key.IsNull(row))
        {
            return withoutKey.Admit(batch, row, rowHash, anyRequiredMissing, counts);
        }

        batch.States[row] = RowState.New;
        ref var entry = ref _keyed.Entry(key.Int64(row), rowHash, out var duplicate);
        if (duplicate)
        {
            counts.Duplicates++;
            return false;
        }

        if (anyRequiredMissing)
        {
            counts.Missing++;
            return false;
        }

        if (!KeyedRows.TakeKey(ref entry))
        {
            counts.Existing++;
            return false;
        }

        return true;
    }

    public void Settle(ImportBatch batch, Int64Column keys, HashSet<long> inTable, bool[] keep, DropCounts counts) =>
        RowDeduplication.DropStored(batch, keys, inTable, keep, counts);
}
