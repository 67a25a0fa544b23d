using System.Buffers.Binary;
using System.Security.Cryptography;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// One member as an adtech accepted it, in the bytes the mirror files keep: a 32-byte key; how many email, phone and
/// zip hashes follow (two bytes each); the member's facts (<see cref="MetaSize"/> bytes: the day the adtech last
/// accepted it, how many of its values were invalid, a work file's <see cref="RecordFlags"/>, and the
/// <see cref="RawDigest"/> of the raw values it was hashed from); then the hashes (32 bytes each, sorted within each
/// field). The key is the SHA-256 of the counts and the hashes, so it names the member by exactly the identifiers sent:
/// a member whose identifiers change is a different member (the old one removed, the new one added). Files of records
/// are sorted by key; the hashes are kept because a remove must send them. Files of the first format (no facts) are
/// read by <see cref="UpgradeLegacy"/>.
/// </summary>
public static class MirrorRecord
{
    public const int KeySize = SHA256.HashSizeInBytes;
    public const int HashSize = SHA256.HashSizeInBytes;

    private const int CountsSize = 3 * sizeof(ushort);
    private const int DayAt = KeySize + CountsSize;
    private const int InvalidAt = DayAt + sizeof(int);
    private const int FlagsAt = InvalidAt + sizeof(ushort);
    private const int DigestAt = FlagsAt + sizeof(ushort);

    /// <summary>The facts after the counts: day, invalid values, flags, raw digest.</summary>
    public const int MetaSize = DigestAt + RawDigest.Size - DayAt;

    /// <summary>The key, the three counts and the facts.</summary>
    public const int HeaderSize = KeySize + CountsSize + MetaSize;

    /// <summary>A record of the first format: the key and the three counts, then the hashes.</summary>
    public const int LegacyHeaderSize = KeySize + CountsSize;

    /// <summary>The day of a record not accepted yet (a work file's member to add).</summary>
    public const int NeverAccepted = -1;

    /// <summary>The length of the record whose header is at the start of <paramref name="header"/>.</summary>
    public static int Length(ReadOnlySpan<byte> header) => HeaderSize + HashesLength(header);

    /// <summary>The length of a first-format record whose header is at the start of <paramref name="header"/>.</summary>
    public static int LegacyLength(ReadOnlySpan<byte> header) => LegacyHeaderSize + HashesLength(header);

    private static int HashesLength(ReadOnlySpan<byte> header) => HashSize * (Count(header, 0) + Count(header, 1) + Count(header, 2));

    /// <summary>Copies a first-format record into <paramref name="destination"/> with facts that say nothing is known (day 0, no digest); returns its length.</summary>
    public static int UpgradeLegacy(ReadOnlySpan<byte> legacy, Span<byte> destination)
    {
        var hashes = HashesLength(legacy);
        legacy[..LegacyHeaderSize].CopyTo(destination);
        destination[DayAt..HeaderSize].Clear();
        legacy.Slice(LegacyHeaderSize, hashes).CopyTo(destination[HeaderSize..]);
        return HeaderSize + hashes;
    }

    /// <summary>The day the adtech last accepted the member (<see cref="DateOnly.DayNumber"/>; 0 when unknown, <see cref="NeverAccepted"/> in a work file's adds).</summary>
    public static int Day(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt32LittleEndian(record[DayAt..]);

    public static void SetDay(Span<byte> record, int day) => BinaryPrimitives.WriteInt32LittleEndian(record[DayAt..], day);

    /// <summary>How many of the member's raw values were invalid (dropped) when it was hashed.</summary>
    public static int Invalid(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt16LittleEndian(record[InvalidAt..]);

    public static RecordFlags Flags(ReadOnlySpan<byte> record) => (RecordFlags)BinaryPrimitives.ReadUInt16LittleEndian(record[FlagsAt..]);

    public static void SetFlags(Span<byte> record, RecordFlags flags) => BinaryPrimitives.WriteUInt16LittleEndian(record[FlagsAt..], (ushort)flags);

    /// <summary>The digest of the raw values the member was hashed from (all zero when unknown).</summary>
    public static ReadOnlySpan<byte> Digest(ReadOnlySpan<byte> record) => record.Slice(DigestAt, RawDigest.Size);

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
    /// bytes), not accepted yet, with its raw <paramref name="digest"/> and <paramref name="invalid"/> values. Its hashes
    /// must be <see cref="HashList"/>s, as hashing gives them.
    /// </summary>
    public static void Write(HashedMember member, Span<byte> destination, ReadOnlySpan<byte> digest = default, int invalid = 0)
    {
        SetDay(destination, NeverAccepted);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[InvalidAt..], (ushort)Math.Min(invalid, ushort.MaxValue));
        SetFlags(destination, RecordFlags.None);
        var digestBytes = destination.Slice(DigestAt, RawDigest.Size);
        if (digest.IsEmpty)
        {
            digestBytes.Clear();
        }
        else
        {
            digest.CopyTo(digestBytes);
        }

        var counts = destination.Slice(KeySize, CountsSize);
        var tail = destination[HeaderSize..];
        var at = 0;
        IReadOnlyList<string>[] fields = [member.Emails, member.Phones, member.Zips];
        for (var f = 0; f < fields.Length; f++)
        {
            var hashes = fields[f] as HashList ?? (fields[f].Count == 0 ? null : throw new ArgumentException("Hashes must be a HashList", nameof(member)));
            var count = hashes?.Count ?? 0;
            if (count > ushort.MaxValue)
            {
                throw new ArgumentException($"A member has {count} values of one field, over {ushort.MaxValue}", nameof(member));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(counts[(f * sizeof(ushort))..], (ushort)count);
            for (var i = 0; i < count; i++)
            {
                hashes!.Hash(i).CopyTo(tail[(at + (i * HashSize))..]);
            }

            SortHashes(tail.Slice(at, count * HashSize));
            at += count * HashSize;
        }

        Sha256.Hash(counts, tail[..at], destination[..KeySize]);
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
