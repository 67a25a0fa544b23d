using System.Buffers.Binary;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The raw digests of the snapshot's records (or of one partition of them), each mapped to the record's position in
/// the snapshot: an open-addressing table of the digest's first 8 bytes and the position, 12 bytes a slot, at most
/// three quarters full. A member whose digest is found is the snapshot's record at that position without hashing it.
/// Two different members share the 8 bytes with a chance of about one in 10^19 per lookup.
/// </summary>
internal sealed class DigestTable
{
    private ulong[] _tags;
    private int[] _positions; // position + 1; 0 = empty slot
    private int _shift;

    public DigestTable(int capacityBits)
    {
        _shift = 64 - capacityBits;
        _tags = new ulong[1 << capacityBits];
        _positions = new int[1 << capacityBits];
    }

    public int Count { get; private set; }

    /// <summary>The bytes the table holds now.</summary>
    public long Bytes => (long)_tags.Length * (sizeof(ulong) + sizeof(int));

    /// <summary>Empties the table, keeping its size (for the next partition's digests).</summary>
    public void Clear()
    {
        Array.Clear(_positions);
        Count = 0;
    }

    /// <summary>Which of <paramref name="partitions"/> (a power of two) a digest falls in.</summary>
    public static int PartitionOf(ReadOnlySpan<byte> digest, int partitions) => (int)(Tag(digest) >> 56) & (partitions - 1);

    public void Add(ReadOnlySpan<byte> digest, int position) => Insert(Tag(digest), position + 1);

    /// <summary>The snapshot position of the record with this digest, or −1.</summary>
    public int Find(ReadOnlySpan<byte> digest)
    {
        var tag = Tag(digest);
        var mask = _tags.Length - 1;
        for (var slot = Slot(tag); ; slot = (slot + 1) & mask)
        {
            var position = _positions[slot];
            if (position == 0)
            {
                return -1;
            }

            if (_tags[slot] == tag)
            {
                return position - 1;
            }
        }
    }

    private static ulong Tag(ReadOnlySpan<byte> digest) => BinaryPrimitives.ReadUInt64BigEndian(digest);

    // The partition is the tag's top bits, so the slot comes from the tag mixed again.
    private int Slot(ulong tag) => (int)((tag * 0x9E3779B97F4A7C15UL) >> _shift);

    private void Insert(ulong tag, int positionPlusOne)
    {
        if ((Count + 1) * 4L > _tags.Length * 3L)
        {
            Grow();
        }

        var mask = _tags.Length - 1;
        var slot = Slot(tag);
        while (_positions[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _tags[slot] = tag;
        _positions[slot] = positionPlusOne;
        Count++;
    }

    private void Grow()
    {
        var (tags, positions) = (_tags, _positions);
        _tags = new ulong[tags.Length * 2];
        _positions = new int[tags.Length * 2];
        _shift--;
        Count = 0;
        for (var i = 0; i < tags.Length; i++)
        {
            if (positions[i] != 0)
            {
                Insert(tags[i], positions[i]);
            }
        }
    }
}
