namespace Portal.Core.Adtech.Sync;

/// <summary>
/// What a pass over the members (<see cref="MemberSorter"/>) does with each member's raw digest: whether to hash the
/// member. With the snapshot's digests in memory, one pass hashes the members they do not know (<see cref="KnownDigests"/>);
/// with too many for memory, a first pass writes the digests to disk by partition (<see cref="DigestSpill"/>) and a
/// second hashes the members their lookups did not find (<see cref="UnknownMembers"/>).
/// </summary>
internal abstract class DigestFilter
{
    /// <summary>True when the member at <paramref name="ordinal"/> (its place in the pass, from 0) must be hashed; called on every core at once.</summary>
    public abstract bool MustHash(long ordinal, ReadOnlySpan<byte> digest);

    /// <summary>After each chunk, on one thread: its members' digests in order, the first at <paramref name="first"/>.</summary>
    public virtual void AfterChunk(long first, ReadOnlySpan<byte> digests)
    {
    }
}
