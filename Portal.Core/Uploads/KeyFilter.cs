namespace Portal.Core.Uploads;

/// <summary>
/// A Bloom filter over Int64 keys, of a fixed size (8 MiB): whether a key may have been seen before in this file. "No"
/// is certain; "maybe" is wrong for about 1 key in 2,700 over a million keys (1 in 19 over ten million), and is then
/// settled by a lookup. It is what lets an import de-duplicate a file of any length in the same memory. Blocked: a key's
/// three bits are in one block of 512 bits (a cache line), so a key costs one miss of the processor's cache, not three.
/// </summary>
internal sealed class KeyFilter
{
    public const int DefaultBits = 1 << 26;
    private const int BlockBits = 512;
    private const int Probes = 3;
    private readonly ulong[] _words;
    private readonly ulong _blocks;
    private readonly int _wordsPerBlock;
    private readonly ulong _bitInBlock;

    /// <param name="bits">A power of two, at least 64: <see cref="DefaultBits"/>, or fewer in tests to make "maybe" common.</param>
    public KeyFilter(int bits = DefaultBits)
    {
        if (bits < 64 || !int.IsPow2(bits))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "A power of two, at least 64.");
        }

        _words = new ulong[bits / 64];
        var blockBits = Math.Min(bits, BlockBits);
        _blocks = (ulong)(bits / blockBits);
        _wordsPerBlock = blockBits / 64;
        _bitInBlock = (ulong)blockBits - 1;
    }

    /// <summary>Adds the key; true when it may have been added before.</summary>
    public bool TestAndAdd(long key)
    {
        var h = Mix((ulong)key);
        var block = (int)((h >> 32) & (_blocks - 1)) * _wordsPerBlock;
        var seen = true;
        for (var i = 0; i < Probes; i++)
        {
            var bit = (int)((h >> (9 * i)) & _bitInBlock);
            ref var word = ref _words[block + (bit >> 6)];
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
