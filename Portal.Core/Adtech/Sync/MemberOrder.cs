using System.Buffers.Binary;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// How many members a pass read and a sum over each one's place and raw digest: two passes over the same members in the
/// same order have the same; a member file replaced between them almost surely not.
/// </summary>
internal sealed class MemberOrder
{
    public long Members { get; private set; }

    public ulong Sum { get; private set; }

    /// <summary>Adds a chunk's digests, the first at <paramref name="first"/> (chunks in order, on one thread).</summary>
    public void Add(long first, ReadOnlySpan<byte> digests)
    {
        var sum = Sum;
        for (var i = 0; i < digests.Length / RawDigest.Size; i++)
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(digests[(i * RawDigest.Size)..]) ^ ((ulong)(first + i) * 0x9E3779B97F4A7C15UL);
            sum += (value ^ (value >> 29)) * 0xBF58476D1CE4E5B9UL;
        }

        Sum = sum;
        Members = first + (digests.Length / RawDigest.Size);
    }

    public bool SameAs(MemberOrder other) => Members == other.Members && Sum == other.Sum;
}
