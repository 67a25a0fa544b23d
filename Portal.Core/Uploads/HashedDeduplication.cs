namespace Portal.Core.Uploads;

/// <summary>
/// Any dataset: a set of row hashes (128 bits), then a set of key hashes, which starts with the keys already stored in
/// the partition's files and gets the keys kept. 16 bytes a row or key, bounded by the partition.
/// </summary>
internal sealed class HashedDeduplication(DatasetSchema schema, HashSet<UInt128> storedKeys) : IRowDeduplication
{
    private readonly HashSet<UInt128> _rowHashes = [];
    private readonly int[] _keyColumns = [.. schema.Columns.Select((c, i) => (c, i)).Where(x => x.c.Key).Select(x => x.i)];
    private byte[] _scratch = new byte[256];

    public bool Admit(ImportBatch batch, int row, UInt128 rowHash, bool anyRequiredMissing, DropCounts counts)
    {
        batch.States[row] = RowState.New;
        if (!_rowHashes.Add(rowHash))
        {
            counts.Duplicates++;
            return false;
        }

        if (anyRequiredMissing)
        {
            counts.Missing++;
            return false;
        }

        if (!storedKeys.Add(KeyHash(batch.Columns, row)))
        {
            counts.Existing++;
            return false;
        }

        return true;
    }

    public void Settle(ImportBatch batch, Int64Column keys, HashSet<long> inTable, bool[] keep, DropCounts counts) =>
        RowDeduplication.DropStored(batch, keys, inTable, keep, counts);

    private UInt128 KeyHash(ColumnBuffer[] columns, int row)
    {
        var bytes = new CanonicalBytes(_scratch);
        foreach (var k in _keyColumns)
        {
            columns[k].AppendCanonical(row, ref bytes);
        }

        _scratch = bytes.Buffer;
        return bytes.Hash();
    }
}
