using System.Security.Cryptography;

namespace Portal.Core.Audiences;

/// <summary>Counts of what hashing kept and dropped, per field. One instance per thread; <see cref="Add"/> combines them.</summary>
public sealed class HashStats
{
    private long _members;
    private long _emptyMembers;
    private long _invalidEmails;
    private long _invalidPhones;
    private long _invalidZips;

    public long Members => Interlocked.Read(ref _members);
    public long EmptyMembers => Interlocked.Read(ref _emptyMembers);
    public long InvalidEmails => Interlocked.Read(ref _invalidEmails);
    public long InvalidPhones => Interlocked.Read(ref _invalidPhones);
    public long InvalidZips => Interlocked.Read(ref _invalidZips);
    public long Invalid => InvalidEmails + InvalidPhones + InvalidZips;

    /// <summary>Adds another instance's counts (safe to call from several threads at once).</summary>
    public void Add(HashStats other)
    {
        Interlocked.Add(ref _members, other.Members);
        Interlocked.Add(ref _emptyMembers, other.EmptyMembers);
        Interlocked.Add(ref _invalidEmails, other.InvalidEmails);
        Interlocked.Add(ref _invalidPhones, other.InvalidPhones);
        Interlocked.Add(ref _invalidZips, other.InvalidZips);
    }

    /// <summary>Hashes a member's values; invalid ones are counted and left out, never passed on raw.</summary>
    public HashedMember Hash(Member member, NormalizationOptions options) => Counted(new HashedMember(
        HashAll(member.Emails, MemberField.Email, options, ref _invalidEmails),
        HashAll(member.Phones, MemberField.Phone, options, ref _invalidPhones),
        options.UseZip ? HashAll(member.Zips, MemberField.Zip, options, ref _invalidZips) : []));

    /// <summary>Hashes the values of the member at <paramref name="index"/> of a batch, as <see cref="Hash(Member, NormalizationOptions)"/> does.</summary>
    public HashedMember Hash(MemberBatch batch, int index, NormalizationOptions options) => Counted(new HashedMember(
        HashAll(batch, index, MemberField.Email, options, ref _invalidEmails),
        HashAll(batch, index, MemberField.Phone, options, ref _invalidPhones),
        options.UseZip ? HashAll(batch, index, MemberField.Zip, options, ref _invalidZips) : []));

    private HashedMember Counted(HashedMember hashed)
    {
        _members++;
        if (hashed.IsEmpty)
        {
            _emptyMembers++;
        }

        return hashed;
    }

    private static IReadOnlyList<string> HashAll(IReadOnlyList<string> values, MemberField field, NormalizationOptions options, ref long invalid)
    {
        var hashes = new Hashes(field, options, values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            hashes.Add(values[i], ref invalid);
        }

        return hashes.ToList();
    }

    private static IReadOnlyList<string> HashAll(MemberBatch batch, int index, MemberField field, NormalizationOptions options, ref long invalid)
    {
        var count = batch.ValueCount(index, field);
        var hashes = new Hashes(field, options, count);
        for (var i = 0; i < count; i++)
        {
            hashes.Add(batch.Value(index, field, i), ref invalid);
        }

        return hashes.ToList();
    }

    /// <summary>One field's distinct hashes, in the order of their values: blank values skipped, invalid ones counted.</summary>
    private ref struct Hashes(MemberField field, NormalizationOptions options, int capacity)
    {
        private const int Size = SHA256.HashSizeInBytes;
        private byte[]? _hashes;
        private int _count;

        public void Add(ReadOnlySpan<char> value, ref long invalid)
        {
            if (value.IsWhiteSpace())
            {
                return;
            }

            Span<byte> hash = stackalloc byte[Size];
            if (!MemberNormalizer.TryHash(field, value, options, hash))
            {
                invalid++;
                return;
            }

            for (var i = 0; i < _count; i++)
            {
                if (hash.SequenceEqual(_hashes.AsSpan(i * Size, Size)))
                {
                    return;
                }
            }

            _hashes ??= new byte[capacity * Size];
            hash.CopyTo(_hashes.AsSpan(_count++ * Size));
        }

        public readonly IReadOnlyList<string> ToList() =>
            _count == 0 ? [] : new HashList(_count * Size == _hashes!.Length ? _hashes : _hashes[..(_count * Size)]);
    }
}
