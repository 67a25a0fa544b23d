using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// A cheap 128-bit digest (XxHash128) of a member's raw values and of how they are normalized: two members with the same
/// digest hash to the same record, so a sync hashes with SHA-256 only members whose digest the snapshot does not know.
/// Not a secret (the snapshot is not exposed) and not a key: it only spares the work of hashing again.
/// </summary>
public static class RawDigest
{
    public const int Size = 16;

    /// <summary>Bump when normalization changes what a raw value hashes to: every digest kept then stops matching.</summary>
    private const string NormalizerVersion = "1";

    /// <summary>The digest's seed for <paramref name="options"/>: the normalization, written before the values.</summary>
    public static byte[] Seed(NormalizationOptions options) =>
        XxHash128.Hash(Encoding.UTF8.GetBytes($"{NormalizerVersion}|{options.Country.Code}|{options.GmailRule}|{options.Phone}|{options.UseZip}"));

    /// <summary>
    /// Writes the digest of the member at <paramref name="index"/> of <paramref name="batch"/> into <paramref name="destination"/>:
    /// the XxHash128 of the seed, then per field the value count and each value's length and UTF-16 characters, laid out
    /// one after another and hashed at once.
    /// </summary>
    public static void Compute(ReadOnlySpan<byte> seed, MemberBatch batch, int index, Span<byte> destination)
    {
        var length = seed.Length;
        foreach (var field in Fields)
        {
            var count = batch.ValueCount(index, field);
            length += sizeof(int) * (1 + count);
            for (var i = 0; i < count; i++)
            {
                length += batch.Value(index, field, i).Length * sizeof(char);
            }
        }

        byte[]? rented = null;
        var bytes = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        seed.CopyTo(bytes);
        var at = seed.Length;
        foreach (var field in Fields)
        {
            var count = batch.ValueCount(index, field);
            MemoryMarshal.Write(bytes[at..], count);
            at += sizeof(int);
            for (var i = 0; i < count; i++)
            {
                var value = MemoryMarshal.AsBytes(batch.Value(index, field, i));
                MemoryMarshal.Write(bytes[at..], value.Length / sizeof(char));
                value.CopyTo(bytes[(at + sizeof(int))..]);
                at += sizeof(int) + value.Length;
            }
        }

        XxHash128.Hash(bytes, destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static readonly MemberField[] Fields = [MemberField.Email, MemberField.Phone, MemberField.Zip];

    /// <summary>True when the digest is all zero (a record of the first format, whose raw values are not known).</summary>
    public static bool IsUnknown(ReadOnlySpan<byte> digest) => !digest.ContainsAnyExcept((byte)0);
}
