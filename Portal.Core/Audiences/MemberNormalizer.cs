using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Audiences;

public enum PhoneFormat
{
    /// <summary>"+" and digits, as Google Customer Match hashes it.</summary>
    E164,

    /// <summary>Digits with country code and no "+", as Meta hashes it.</summary>
    DigitsOnly,
}

/// <summary>
/// How a connector wants identifiers normalized before hashing. <paramref name="GmailRule"/>: gmail.com and
/// googlemail.com addresses lose the dots and any "+tag" of their local part. <paramref name="UseZip"/>: false where
/// the adtech takes no postal code on its own (Google matches an address only with first and last name), so zips are
/// neither hashed nor counted.
/// </summary>
public sealed record NormalizationOptions(bool GmailRule = false, PhoneFormat Phone = PhoneFormat.E164, string DefaultCountryCode = "1", string ZipCountry = "US",
    bool UseZip = true)
{
    public static readonly NormalizationOptions Default = new();
}

/// <summary>
/// Normalization of personal identifiers before SHA-256, following what Google (Customer Match) and Meta (Custom
/// Audiences) publish. A value that is already a SHA-256 hash (64 hex characters) passes through, lower-cased.
/// Invalid values come back as null: the caller counts them and never sends them.
/// </summary>
public static class MemberNormalizer
{
    public static bool IsSha256Hex(string value) =>
        value.Length == 64 && value.All(char.IsAsciiHexDigit);

    public static string Sha256Hex(string normalized)
    {
        var max = Encoding.UTF8.GetMaxByteCount(normalized.Length);
        Span<byte> utf8 = max <= 512 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(normalized, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Trimmed and lower-cased; for gmail.com and googlemail.com, when asked, the dots and any "+tag" before the '@'
    /// removed (Gmail delivers all those spellings to the same account).
    /// </summary>
    public static string? NormalizeEmail(string? raw, bool gmailRule = false)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var email = raw.Trim().ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1 || email.Any(char.IsWhiteSpace))
        {
            return null;
        }

        var local = email[..at];
        var domain = email[(at + 1)..];
        if (!domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.EndsWith('.'))
        {
            return null;
        }

        if (gmailRule && domain is "gmail.com" or "googlemail.com")
        {
            var plus = local.IndexOf('+', StringComparison.Ordinal);
            local = (plus >= 0 ? local[..plus] : local).Replace(".", "", StringComparison.Ordinal);
            if (local.Length == 0)
            {
                return null;
            }
        }

        return $"{local}@{domain}";
    }

    /// <summary>
    /// E.164: symbols and spaces removed; a leading "+" or "00" marks the country code, otherwise leading zeros are
    /// dropped and <paramref name="defaultCountryCode"/> is put in front of numbers of ten digits or fewer. 8 to 15 digits.
    /// </summary>
    public static string? NormalizePhone(string? raw, string defaultCountryCode = "1", PhoneFormat format = PhoneFormat.E164)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var text = raw.Trim();
        var international = text.StartsWith('+') || text.StartsWith("00", StringComparison.Ordinal);
        var digits = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (char.IsAsciiLetter(c))
            {
                return null;
            }
        }

        var number = digits.ToString();
        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            number = number[2..];
        }

        if (!international)
        {
            number = number.TrimStart('0');
            if (number.Length <= 10)
            {
                number = defaultCountryCode + number;
            }
        }

        if (number.Length is < 8 or > 15 || number.StartsWith('0'))
        {
            return null;
        }

        return format == PhoneFormat.E164 ? "+" + number : number;
    }

    /// <summary>US: the first five digits (ZIP+4 cut). Elsewhere: lower case without spaces.</summary>
    public static string? NormalizeZip(string? raw, string country = "US")
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (string.Equals(country, "US", StringComparison.OrdinalIgnoreCase))
        {
            var digits = new string(raw.Trim().TakeWhile(c => char.IsAsciiDigit(c)).ToArray());
            return digits.Length >= 5 ? digits[..5] : null;
        }

        var compact = new string(raw.Where(c => !char.IsWhiteSpace(c)).ToArray()).ToLowerInvariant();
        return compact.Length > 0 ? compact : null;
    }

    /// <summary>Normalizes and hashes one value of a kind; null when invalid. Hashes are passed through.</summary>
    public static string? Hash(MemberField field, string? raw, NormalizationOptions options)
    {
        if (raw is not null && IsSha256Hex(raw.Trim()))
        {
            return raw.Trim().ToLowerInvariant();
        }

        var normalized = field switch
        {
            MemberField.Email => NormalizeEmail(raw, options.GmailRule),
            MemberField.Phone => NormalizePhone(raw, options.DefaultCountryCode, options.Phone),
            MemberField.Zip => NormalizeZip(raw, options.ZipCountry),
            _ => null,
        };
        return normalized is null ? null : Sha256Hex(normalized);
    }
}

public enum MemberField
{
    Email,
    Phone,
    Zip,
}

/// <summary>One audience member: multi-value identifier lists, raw or already hashed.</summary>
public sealed record Member(IReadOnlyList<string> Emails, IReadOnlyList<string> Phones, IReadOnlyList<string> Zips);

/// <summary>A member with only hashed, valid identifiers, ready to send.</summary>
public sealed record HashedMember(IReadOnlyList<string> Emails, IReadOnlyList<string> Phones, IReadOnlyList<string> Zips)
{
    public bool IsEmpty => Emails.Count == 0 && Phones.Count == 0 && Zips.Count == 0;
}

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
    public HashedMember Hash(Member member, NormalizationOptions options)
    {
        _members++;
        var hashed = new HashedMember(
            HashAll(member.Emails, MemberField.Email, options, ref _invalidEmails),
            HashAll(member.Phones, MemberField.Phone, options, ref _invalidPhones),
            options.UseZip ? HashAll(member.Zips, MemberField.Zip, options, ref _invalidZips) : []);
        if (hashed.IsEmpty)
        {
            _emptyMembers++;
        }

        return hashed;
    }

    private static List<string> HashAll(IReadOnlyList<string> values, MemberField field, NormalizationOptions options, ref long invalid)
    {
        var result = new List<string>(values.Count);
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (MemberNormalizer.Hash(field, value, options) is { } hash)
            {
                if (!result.Contains(hash))
                {
                    result.Add(hash);
                }
            }
            else
            {
                invalid++;
            }
        }

        return result;
    }
}
