using System.Buffers.Binary;

namespace Portal.Core.Uploads;

/// <summary>
/// The keys of an import that came in increasing order (most files: ids as a system assigned them), each with its row's
/// hash and state, appended to a temp file in fixed-size records: a key is found by a binary search of the first key
/// of each block of 256 records (8 bytes a block in memory), then of the block, read from the file. Appending costs
/// next to nothing where a B-tree insert costs a statement's work. Deleted on dispose.
/// </summary>
internal sealed class SortedKeyLog : IDisposable
{
    private const int BlockRecords = 256;
    private const int RecordBytes = 17; // key, hash, state
    private const int BlockBytes = BlockRecords * RecordBytes;
    private readonly FileStream _file;
    private readonly List<long> _firstKeys = [];
    private readonly byte[] _tail = new byte[BlockBytes];
    private readonly byte[] _block = new byte[BlockBytes];
    private int _tailCount;
    private long _blocksWritten;

    public SortedKeyLog() =>
        _file = new FileStream(Path.Combine(Path.GetTempPath(), $"portal-upload-keys-{Guid.NewGuid():N}.bin"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose);

    /// <summary>Keys appended.</summary>
    public long Count { get; private set; }

    /// <summary>The last (largest) key appended; only when <see cref="Count"/> is not 0.</summary>
    public long Last { get; private set; }

    /// <summary>Appends a key larger than <see cref="Last"/>.</summary>
    public void Append(long key, long hash, StageState state)
    {
        if (Count > 0 && key <= Last)
        {
            throw new InvalidOperationException($"Key {key} is not above the last key {Last}.");
        }

        if (_tailCount == 0)
        {
            _firstKeys.Add(key);
        }

        var record = _tail.AsSpan(_tailCount * RecordBytes, RecordBytes);
        BinaryPrimitives.WriteInt64LittleEndian(record, key);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], hash);
        record[16] = (byte)state;
        if (++_tailCount == BlockRecords)
        {
            _file.Write(_tail);
            _blocksWritten++;
            _tailCount = 0;
        }

        Last = key;
        Count++;
    }

    /// <summary>The hash and state appended with the key, if it was.</summary>
    public (bool Found, long Hash, StageState State) Find(long key)
    {
        if (Count == 0 || key > Last || key < _firstKeys[0])
        {
            return (false, 0, StageState.Seen);
        }

        // the last block whose first key is at most the key
        var at = _firstKeys.BinarySearch(key);
        var block = at >= 0 ? at : ~at - 1;
        ReadOnlySpan<byte> records;
        if (block == _blocksWritten)
        {
            records = _tail.AsSpan(0, _tailCount * RecordBytes);
        }
        else
        {
            RandomAccess.Read(_file.SafeFileHandle, _block, block * (long)BlockBytes);
            records = _block;
        }

        int low = 0, high = (records.Length / RecordBytes) - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var record = records.Slice(middle * RecordBytes, RecordBytes);
            var found = BinaryPrimitives.ReadInt64LittleEndian(record);
            if (found == key)
            {
                return (true, BinaryPrimitives.ReadInt64LittleEndian(record[8..]), (StageState)record[16]);
            }

            if (found < key)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return (false, 0, StageState.Seen);
    }

    public void Dispose() => _file.Dispose();
}
