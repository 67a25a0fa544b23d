namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The snapshot's raw digests in memory, and the set of its records found so far: a member whose digest the table holds
/// is that record, marked present and not hashed.
/// </summary>
internal sealed class KnownDigests(DigestTable table, PositionSet present) : DigestFilter
{
    private long _repeated;

    /// <summary>Members found as a record another member was found as already (the same raw values twice).</summary>
    public long Repeated => Interlocked.Read(ref _repeated);

    public override bool MustHash(long ordinal, ReadOnlySpan<byte> digest)
    {
        var position = table.Find(digest);
        if (position < 0)
        {
            return true;
        }

        if (!present.Mark(position))
        {
            Interlocked.Increment(ref _repeated);
        }

        return false;
    }
}
