namespace Portal.Core.Uploads;

/// <summary>
/// A Bloom filter over Int64 keys, of a fixed size (8 MiB): whether a key may have been seen before in this file. "No"
/// is certain; "maybe" is wrong for fewer than 1 key in 10,000 over a million keys (1 in 20 over ten million), and is
/// then settled by a lookup. It is what lets an import de-duplicate a file of any length in the same memory.
/// </summary>
internal sealed class KeyFilter
{
    public const int DefaultBits = 1 << 26;
    private const int Probes = 3;
    private readonly ulong[] _words;
    private readonly ulong _mask;

    /// <param name="bits">A power of two, at least 64: <see cref="DefaultBits"/>, or fewer in tests to make "maybe" common.</param>
    public KeyFilter(int bits = DefaultBits)
    {
        if (bits < 64 || !int.IsPow2(bits))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "A power of two, at least 64.");
        }

        _words = new ulong[bits / 64];
        _mask = (ulong)bits - 1;
    }

    /// <summary>Adds the key; true when it may have been added before.</summary>
    public bool TestAndAdd(long key)
    {
        var h1 = Mix((ulong)key);
        var h2 = Mix(h1) | 1;
        var seen = true;
        for (var i = 0; i < Probes; i++)
        {
            var bit = (int)((h1 + ((ulong)i * h2)) & _mask);
            ref var word = ref _words[bit >> 6];
            var mask = 1UL << (bit & 63);
            seen &= (word & mask) != 0;
            word |= mask;
        }

        return seen;
    }

    /// <summary>A 64-bit finalizer (SplitMix64's): consecutive keys land far apart.</summary>
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
