using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The raw digests of the snapshot's records (or of one partition of them), each mapped to the record's position in
/// the snapshot: an open-addressing table of the digest's first 8 bytes and the position, side by side in one 12-byte slot
/// (a lookup touches one cache line, not two), at most three quarters full. A member whose digest is found is the snapshot's record at that position without hashing it.
/// Two different members share the 8 bytes with a chance of about one in 10^19 per lookup.
/// </summary>
internal sealed class DigestTable
{
    private Slot[] _slots;
    private int _shift;

    public DigestTable(int capacityBits)
    {
        _shift = 64 - capacityBits;
        _slots = new Slot[1 << capacityBits];
    }

    public int Count { get; private set; }

    /// <summary>The bytes the table holds now.</summary>
    public long Bytes => (long)_slots.Length * Marshal.SizeOf<Slot>();

    /// <summary>Empties the table, keeping its size (for the next partition's digests).</summary>
    public void Clear()
    {
        Array.Clear(_slots);
        Count = 0;
    }

    /// <summary>Which of <paramref name="partitions"/> (a power of two) a digest falls in.</summary>
    public static int PartitionOf(ReadOnlySpan<byte> digest, int partitions) => (int)(Tag(digest) >> 56) & (partitions - 1);

    public void Add(ReadOnlySpan<byte> digest, int position) => Insert(Tag(digest), position + 1);

    /// <summary>The snapshot position of the record with this digest, or −1.</summary>
    public int Find(ReadOnlySpan<byte> digest)
    {
        var tag = Tag(digest);
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = SlotOf(tag); ; i = (i + 1) & mask)
        {
            ref readonly var slot = ref slots[i];
            if (slot.Position == 0)
            {
                return -1;
            }

            if (slot.Tag == tag)
            {
                return slot.Position - 1;
            }
        }
    }

    private static ulong Tag(ReadOnlySpan<byte> digest) => BinaryPrimitives.ReadUInt64BigEndian(digest);

    // The partition is the tag's top bits, so the slot comes from the tag mixed again.
    private int SlotOf(ulong tag) => (int)((tag * 0x9E3779B97F4A7C15UL) >> _shift);

    private void Insert(ulong tag, int positionPlusOne)
    {
        if ((Count + 1) * 4L > _slots.Length * 3L)
        {
            Grow();
        }

        var mask = _slots.Length - 1;
        var i = SlotOf(tag);
        while (_slots[i].Position != 0)
        {
            i = (i + 1) & mask;
        }

        _slots[i] = new Slot(tag, positionPlusOne);
        Count++;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        _shift--;
        Count = 0;
        foreach (var slot in old)
        {
            if (slot.Position != 0)
            {
                Insert(slot.Tag, slot.Position);
            }
        }
    }

    /// <summary>A digest's tag and its record's position + 1 (0: an empty slot), packed in 12 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct Slot(ulong tag, int position)
    {
        public readonly ulong Tag = tag;
        public readonly int Position = position;
    }
}
