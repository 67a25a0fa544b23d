namespace Portal.Core.Adtech.Sync;

/// <summary>
/// What a pass over the members knows of the snapshot: the raw digests of one partition of its records
/// (<paramref name="Partition"/> of <paramref name="Partitions"/>), and the set of records found so far. Members whose
/// digest falls in another partition are left to that partition's pass.
/// </summary>
internal sealed record KnownDigests(DigestTable Table, PresentSet Present, int Partition, int Partitions)
{
    private long _repeated;

    /// <summary>Members found as a record another member was found as already (the same raw values twice).</summary>
    public long Repeated => Interlocked.Read(ref _repeated);

    public bool InPass(ReadOnlySpan<byte> digest) => Partitions == 1 || DigestTable.PartitionOf(digest, Partitions) == Partition;

    /// <summary>True when the digest is a snapshot record's (marked present); false when the member must be hashed.</summary>
    public bool TryMark(ReadOnlySpan<byte> digest)
    {
        var position = Table.Find(digest);
        if (position < 0)
        {
            return false;
        }

        if (!Present.Mark(position))
        {
            Interlocked.Increment(ref _repeated);
        }

        return true;
    }
}
