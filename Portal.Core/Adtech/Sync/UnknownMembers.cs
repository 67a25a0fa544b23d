namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The second pass over the members after a <see cref="DigestSpill"/>: hashes the members whose digests the snapshot's
/// did not find (by their place in the pass), and checks that it read the members the first pass read
/// (<see cref="MemberOrder"/>).
/// </summary>
internal sealed class UnknownMembers(PositionSet unknown, MemberOrder firstPass) : DigestFilter
{
    private readonly MemberOrder _order = new();

    public override bool MustHash(long ordinal, ReadOnlySpan<byte> digest) => ordinal < firstPass.Members && unknown.Contains(ordinal);

    public override void AfterChunk(long first, ReadOnlySpan<byte> digests) => _order.Add(first, digests);

    /// <summary>Throws when the members changed between the two passes (their file replaced by a refresh): the places hashed are then not the unknown members.</summary>
    public void EnsureSameMembers()
    {
        if (!_order.SameAs(firstPass))
        {
            throw new MembersChangedException(
                $"The audience's members changed while the sync read them ({firstPass.Members:N0} members, then {_order.Members:N0}); nothing was sent, and the next sync sends the difference.");
        }
    }
}
