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

    [ThreadStatic]
    private static XxHash128? _hash;

    /// <summary>The digest's seed for <paramref name="options"/>: the normalization, written before the values.</summary>
    public static byte[] Seed(NormalizationOptions options) =>
        XxHash128.Hash(Encoding.UTF8.GetBytes($"{NormalizerVersion}|{options.Country.Code}|{options.GmailRule}|{options.Phone}|{options.UseZip}"));

    /// <summary>Writes the digest of the member at <paramref name="index"/> of <paramref name="batch"/> into <paramref name="destination"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> seed, MemberBatch batch, int index, Span<byte> destination)
    {
        var hash = _hash ??= new XxHash128();
        hash.Append(seed);
        Span<int> length = stackalloc int[1];
        foreach (var field in (ReadOnlySpan<MemberField>)[MemberField.Email, MemberField.Phone, MemberField.Zip])
        {
            var count = batch.ValueCount(index, field);
            length[0] = count;
            hash.Append(MemoryMarshal.AsBytes(length));
            for (var i = 0; i < count; i++)
            {
                var value = batch.Value(index, field, i);
                length[0] = value.Length;
                hash.Append(MemoryMarshal.AsBytes(length));
                hash.Append(MemoryMarshal.AsBytes(value));
            }
        }

        hash.GetHashAndReset(destination);
    }

    /// <summary>True when the digest is all zero (a record of the first format, whose raw values are not known).</summary>
    public static bool IsUnknown(ReadOnlySpan<byte> digest) => !digest.ContainsAnyExcept((byte)0);
}
