using System.Runtime.InteropServices;

namespace Portal.Core.Uploads;

/// <summary>
/// The rows of a file keyed by one Int64, for de-duplication in one map instead of two sets: the exact key maps to the
/// first row's hash (its low 63 bits; the last bit says whether a row kept the key), and the rare further rows with the
/// same key but other values go in a small set. Rows are equal only if their keys are (the key is part of the row), so
/// comparing hashes within a key is what comparing them across the file was, with 63 bits among the rows of one key
/// instead of 128 among all. About 28–56 bytes a key (the map's entries and buckets, before and after it doubles),
/// where the two sets of 128-bit hashes took 56–112.
/// </summary>
internal sealed class KeyedRows
{
    private const ulong Taken = 1;
    private readonly Dictionary<long, ulong> _first = [];
    private readonly HashSet<(long Key, ulong Hash)> _more = [];

    public int Count => _first.Count + _more.Count;

    /// <summary>The key's entry; <paramref name="duplicate"/> when a row with this hash was seen with this key.</summary>
    public ref ulong Entry(long key, UInt128 rowHash, out bool duplicate)
    {
        var hash = (ulong)rowHash & ~Taken;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_first, key, out var exists);
        if (!exists)
        {
            entry = hash;
            duplicate = false;
        }
        else
        {
            duplicate = (entry & ~Taken) == hash || !_more.Add((key, hash));
        }

        return ref entry;
    }

    /// <summary>Marks the key as kept by a row; false when a row kept it already.</summary>
    public static bool TakeKey(ref ulong entry)
    {
        if ((entry & Taken) != 0)
        {
            return false;
        }

        entry |= Taken;
        return true;
    }
}
