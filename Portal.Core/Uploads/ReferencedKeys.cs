namespace Portal.Core.Uploads;

/// <summary>
/// The keys of a table the rows refer to (users), sorted, and which of them the rows kept use. Looked up once per row:
/// when the keys are dense (their range at most four times their count, as identities are), through a table indexed by
/// the key itself, which takes 4 bytes per value in the range; otherwise by binary search.
/// </summary>
internal sealed class ReferencedKeys
{
    private readonly long[] _known;
    private readonly bool[] _used;
    private readonly int[]? _slot;
    private readonly long _min;

    public ReferencedKeys(long[] sortedKeys)
    {
        _known = sortedKeys;
        _used = new bool[sortedKeys.Length];
        if (sortedKeys.Length > 0 && (ulong)(sortedKeys[^1] - sortedKeys[0]) < 4UL * (ulong)sortedKeys.Length + 1024)
        {
            _min = sortedKeys[0];
            _slot = new int[sortedKeys[^1] - _min + 1];
            Array.Fill(_slot, -1);
            for (var i = 0; i < sortedKeys.Length; i++)
            {
                _slot[sortedKeys[i] - _min] = i;
            }
        }
    }

    /// <summary>Marks the key as used; false when the table does not have it.</summary>
    public bool Use(long key)
    {
        int at;
        if (_slot is not null)
        {
            var offset = (ulong)(key - _min);
            at = offset < (ulong)_slot.Length ? _slot[offset] : -1;
        }
        else
        {
            at = _known.AsSpan().BinarySearch(key);
        }

        if (at < 0)
        {
            return false;
        }

        _used[at] = true;
        return true;
    }

    /// <summary>The keys used, sorted.</summary>
    public long[] Used() => [.. _known.Where((_, i) => _used[i])];
}
