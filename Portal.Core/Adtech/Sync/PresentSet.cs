namespace Portal.Core.Adtech.Sync;

/// <summary>One bit per snapshot record: set when a current member was found to be that record (by its raw digest); safe on every core at once.</summary>
internal sealed class PresentSet(long records)
{
    private readonly long[] _bits = new long[(records + 63) / 64];

    /// <summary>Marks the record; false when it was marked already (the same raw member twice).</summary>
    public bool Mark(int position) => (Interlocked.Or(ref _bits[position >> 6], 1L << (position & 63)) & (1L << (position & 63))) == 0;

    public bool Contains(long position) => (_bits[position >> 6] & (1L << (int)(position & 63))) != 0;
}
