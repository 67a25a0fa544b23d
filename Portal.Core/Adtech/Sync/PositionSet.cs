namespace Portal.Core.Adtech.Sync;

/// <summary>
/// One bit per position, safe on every core at once: per snapshot record, set when a current member was found to be that
/// record (by its raw digest); or per member's place in a pass, set when its digest was not found.
/// </summary>
internal sealed class PositionSet(long positions)
{
    private readonly long[] _bits = new long[(positions + 63) / 64];

    /// <summary>Marks the position; false when it was marked already (for a record: the same raw member twice).</summary>
    public bool Mark(int position) => (Interlocked.Or(ref _bits[position >> 6], 1L << (position & 63)) & (1L << (position & 63))) == 0;

    public bool Contains(long position) => (_bits[position >> 6] & (1L << (int)(position & 63))) != 0;
}
