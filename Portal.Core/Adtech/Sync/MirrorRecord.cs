using System.Buffers.Binary;
using System.Security.Cryptography;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// One member as an adtech accepted it, in the bytes the mirror files keep: a 32-byte key, then how many email, phone
/// and zip hashes follow (two bytes each), then those hashes (32 bytes each, sorted within each field). The key is the
/// SHA-256 of everything after it, so it names the member by exactly the identifiers sent: a member whose identifiers
/// change is a different member (the old one removed, the new one added). Files of records are sorted by key; the
/// hashes are kept because a remove must send them.
/// </summary>
public static class MirrorRecord
{
    public const int KeySize = SHA256.HashSizeInBytes;
    public const int HashSize = SHA256.HashSizeInBytes;

    /// <summary>The key and the three counts.</summary>
    public const int HeaderSize = KeySize + (3 * sizeof(ushort));

    /// <summary>A SHA-256 context per thread, reused (records are keyed on every core at once).</summary>
    [ThreadStatic]
    private static IncrementalHash? _sha256;

    /// <summary>The length of the record whose header is at the start of <paramref name="header"/>.</summary>
    public static int Length(ReadOnlySpan<byte> header) =>
        HeaderSize + (HashSize * (Count(header, 0) + Count(header, 1) + Count(header, 2)));

    /// <summary>The record length a hashed member needs.</summary>
    public static int Length(HashedMember member) =>
        HeaderSize + (HashSize * (member.Emails.Count + member.Phones.Count + member.Zips.Count));

    public static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> record) => record[..KeySize];

    /// <summary>Orders records by key, bytewise.</summary>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => Key(a).SequenceCompareTo(Key(b));

    /// <summary>The first 8 bytes of the key as a number that sorts as the key does (for sorting on a number first).</summary>
    public static ulong Prefix(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt64BigEndian(record);

    /// <summary>
    /// Writes <paramref name="member"/> into <paramref name="destination"/> (exactly <see cref="Length(HashedMember)"/>
    /// bytes). Its hashes must be <see cref="HashList"/>s, as hashing gives them.
    /// </summary>
    public static void Write(HashedMember member, Span<byte> destination)
    {
        var tail = destination[KeySize..];
        var at = 3 * sizeof(ushort);
        IReadOnlyList<string>[] fields = [member.Emails, member.Phones, member.Zips];
        for (var f = 0; f < fields.Length; f++)
        {
            var hashes = fields[f] as HashList ?? (fields[f].Count == 0 ? null : throw new ArgumentException("Hashes must be a HashList", nameof(member)));
            var count = hashes?.Count ?? 0;
            if (count > ushort.MaxValue)
            {
                throw new ArgumentException($"A member has {count} values of one field, over {ushort.MaxValue}", nameof(member));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(tail[(f * sizeof(ushort))..], (ushort)count);
            for (var i = 0; i < count; i++)
            {
                hashes!.Hash(i).CopyTo(tail[(at + (i * HashSize))..]);
            }

            SortHashes(tail.Slice(at, count * HashSize));
            at += count * HashSize;
        }

        var sha256 = _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(tail[..at]);
        sha256.GetHashAndReset(destination[..KeySize]);
    }

    /// <summary>The member a record holds, its hashes as <see cref="HashList"/>s (what connectors write payloads from).</summary>
    public static HashedMember Read(ReadOnlySpan<byte> record)
    {
        var at = HeaderSize;
        var lists = new IReadOnlyList<string>[3];
        for (var f = 0; f < 3; f++)
        {
            var bytes = Count(record, f) * HashSize;
            lists[f] = bytes == 0 ? [] : new HashList(record.Slice(at, bytes).ToArray());
            at += bytes;
        }

        return new HashedMember(lists[0], lists[1], lists[2]);
    }

    private static int Count(ReadOnlySpan<byte> header, int field) =>
        BinaryPrimitives.ReadUInt16LittleEndian(header[(KeySize + (field * sizeof(ushort)))..]);

    /// <summary>Insertion sort of 32-byte hashes in place (a member has a few values per field).</summary>
    private static void SortHashes(Span<byte> hashes)
    {
        Span<byte> held = stackalloc byte[HashSize];
        var count = hashes.Length / HashSize;
        for (var i = 1; i < count; i++)
        {
            hashes.Slice(i * HashSize, HashSize).CopyTo(held);
            var j = i - 1;
            while (j >= 0 && hashes.Slice(j * HashSize, HashSize).SequenceCompareTo(held) > 0)
            {
                hashes.Slice(j * HashSize, HashSize).CopyTo(hashes[((j + 1) * HashSize)..]);
                j--;
            }

            held.CopyTo(hashes[((j + 1) * HashSize)..]);
        }
    }
}
