using System.Security.Cryptography;
using System.Text.Json;

namespace Portal.Core.Audiences;

/// <summary>One audience member: multi-value identifier lists, raw or already hashed.</summary>
public sealed record Member(IReadOnlyList<string> Emails, IReadOnlyList<string> Phones, IReadOnlyList<string> Zips);

/// <summary>
/// A member with only hashed, valid identifiers, ready to send. Hashing gives each field as a <see cref="HashList"/>;
/// any list of hex strings will do (tests give short stand-ins).
/// </summary>
public sealed record HashedMember(IReadOnlyList<string> Emails, IReadOnlyList<string> Phones, IReadOnlyList<string> Zips)
{
    public bool IsEmpty => Emails.Count == 0 && Phones.Count == 0 && Zips.Count == 0;
}

/// <summary>
/// SHA-256 hashes kept as their 32 bytes, one array for all of a field's values (a member costs one small array per
/// field, not a 64-character string per value). Read as lower-case hex strings (made on access); written to JSON
/// without making them (<see cref="WriteHex"/>).
/// </summary>
public sealed class HashList : IReadOnlyList<string>
{
    private readonly byte[] _hashes;

    /// <param name="hashes">The hashes one after another, <see cref="SHA256.HashSizeInBytes"/> each.</param>
    public HashList(byte[] hashes)
    {
        if (hashes.Length % SHA256.HashSizeInBytes != 0)
        {
            throw new ArgumentException("Not a whole number of SHA-256 hashes", nameof(hashes));
        }

        _hashes = hashes;
    }

    public int Count => _hashes.Length / SHA256.HashSizeInBytes;

    public string this[int index] => Convert.ToHexStringLower(Hash(index));

    public ReadOnlySpan<byte> Hash(int index) => _hashes.AsSpan(index * SHA256.HashSizeInBytes, SHA256.HashSizeInBytes);

    /// <summary>Writes the value at <paramref name="index"/> as a JSON string of lower-case hex.</summary>
    public void WriteHex(Utf8JsonWriter writer, int index)
    {
        Span<byte> hex = stackalloc byte[2 * SHA256.HashSizeInBytes];
        Convert.TryToHexStringLower(Hash(index), hex, out _);
        writer.WriteStringValue(hex);
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
