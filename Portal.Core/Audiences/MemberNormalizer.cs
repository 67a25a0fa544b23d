using System.Buffers;
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
/// How identifiers are normalized before hashing: for the audience's <paramref name="Country"/> (the calling code a
/// phone without one gets, and its postal code rule), and as the connector's adtech asks. <paramref name="GmailRule"/>:
/// gmail.com and googlemail.com addresses lose the dots and any "+tag" of their local part. <paramref name="UseZip"/>:
/// false where the adtech takes no postal code on its own (Google matches an address only with first and last name),
/// so zips are neither hashed nor counted. There is no default country: every caller says which one.
/// </summary>
public sealed record NormalizationOptions(Country Country, bool GmailRule = false, PhoneFormat Phone = PhoneFormat.E164, bool UseZip = true);

/// <summary>
/// Normalization of personal identifiers before SHA-256, following what Google (Customer Match) and Meta (Custom
/// Audiences) publish. A value that is already a SHA-256 hash (64 hex characters) passes through, lower-cased.
/// Invalid values come back as null: the caller counts them and never sends them.
/// </summary>
public static class MemberNormalizer
{
    /// <summary>Values up to this many characters are normalized on the stack; longer ones in a rented buffer.</summary>
    private const int StackChars = 256;

    public static bool IsSha256Hex(string value) => IsSha256Hex(value.AsSpan());

    public static bool IsSha256Hex(ReadOnlySpan<char> value) =>
        value.Length == 64 && !value.ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    public static string Sha256Hex(string normalized)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        HashUtf8(normalized, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The SHA-256 of <paramref name="normalized"/>'s UTF-8 into <paramref name="hash"/>.</summary>
    private static void HashUtf8(ReadOnlySpan<char> normalized, Span<byte> hash)
    {
        var max = Encoding.UTF8.GetMaxByteCount(normalized.Length);
        byte[]? rented = null;
        Span<byte> utf8 = max <= 3 * StackChars ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var length = Encoding.UTF8.GetBytes(normalized, utf8);
        Sha256.Hash(utf8[..length], hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Trimmed and lower-cased; for gmail.com and googlemail.com, when asked, the dots and any "+tag" before the '@'
    /// removed (Gmail delivers all those spellings to the same account).
    /// </summary>
    public static string? NormalizeEmail(string? raw, bool gmailRule = false) =>
        Normalize(raw, raw?.Length ?? 0, (r, d) => NormalizeEmail(r, gmailRule, d));

    /// <summary>
    /// E.164: symbols and spaces removed; a leading "+" or "00" marks the country code. Otherwise the trunk prefix (leading
    /// zeros, except where the country keeps them) is dropped and <paramref name="country"/>'s calling code put in front,
    /// unless the number already starts with it and is longer than the country's national numbers. 8 to 15 digits.
    /// </summary>
    public static string? NormalizePhone(string? raw, Country country, PhoneFormat format = PhoneFormat.E164) =>
        Normalize(raw, PhoneLength(raw?.Length ?? 0, country), (r, d) => NormalizePhone(r, country, format, d));

    /// <summary>
    /// By <paramref name="country"/>: US, the first five digits (ZIP+4 cut at '-'); IN, the six-digit PIN (spaces and '-'
    /// dropped, anything else or another length is invalid); elsewhere, lower case without spaces.
    /// </summary>
    public static string? NormalizeZip(string? raw, Country country) =>
        Normalize(raw, raw?.Length ?? 0, (r, d) => NormalizeZip(r, country, d));

    /// <summary>Normalizes and hashes one value of a kind; null when invalid. Hashes are passed through.</summary>
    public static string? Hash(MemberField field, string? raw, NormalizationOptions options)
    {
        if (raw is null)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        return TryHash(field, raw, options, hash) ? Convert.ToHexStringLower(hash) : null;
    }

    /// <summary>
    /// Normalizes and hashes one value of a kind into <paramref name="hash"/> (the 32 bytes of its SHA-256), without
    /// allocating; false when the value is invalid. A value that is already a hash (64 hex characters) is passed through:
    /// its bytes, which are what its lower-case hex spells.
    /// </summary>
    public static bool TryHash(MemberField field, ReadOnlySpan<char> raw, NormalizationOptions options, Span<byte> hash)
    {
        var trimmed = raw.Trim();
        if (IsSha256Hex(trimmed))
        {
            Convert.FromHexString(trimmed, hash, out _, out _);
            return true;
        }

        var capacity = field == MemberField.Phone ? PhoneLength(raw.Length, options.Country) : raw.Length;
        char[]? rented = null;
        Span<char> normalized = capacity <= StackChars ? stackalloc char[capacity] : (rented = ArrayPool<char>.Shared.Rent(capacity));
        var length = field switch
        {
            MemberField.Email => NormalizeEmail(raw, options.GmailRule, normalized),
            MemberField.Phone => NormalizePhone(raw, options.Country, options.Phone, normalized),
            MemberField.Zip => NormalizeZip(raw, options.Country, normalized),
            _ => Invalid,
        };
        if (length != Invalid)
        {
            HashUtf8(normalized[..length], hash);
        }

        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return length != Invalid;
    }

    private const int Invalid = -1;

    private delegate int SpanNormalizer(ReadOnlySpan<char> raw, Span<char> destination);

    private static string? Normalize(string? raw, int capacity, SpanNormalizer normalize)
    {
        if (raw is null)
        {
            return null;
        }

        var destination = capacity <= StackChars ? stackalloc char[capacity] : new char[capacity];
        var length = normalize(raw, destination);
        return length == Invalid ? null : new string(destination[..length]);
    }

    /// <summary>Room for a normalized phone number: a "+", the country code and every character of the raw value.</summary>
    private static int PhoneLength(int rawLength, Country country) => 1 + country.CallingCode.Length + rawLength;

    /// <summary>The email rules into <paramref name="destination"/> (at least as long as <paramref name="raw"/>); its length, or <see cref="Invalid"/>.</summary>
    private static int NormalizeEmail(ReadOnlySpan<char> raw, bool gmailRule, Span<char> destination)
    {
        var trimmed = raw.Trim();
        if (trimmed.IsEmpty)
        {
            return Invalid;
        }

        var email = destination[..trimmed.ToLowerInvariant(destination)];
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1 || ContainsWhiteSpace(email))
        {
            return Invalid;
        }

        var domain = email[(at + 1)..];
        if (!domain.Contains('.') || domain[0] == '.' || domain[^1] == '.')
        {
            return Invalid;
        }

        if (!gmailRule || (!domain.SequenceEqual("gmail.com") && !domain.SequenceEqual("googlemail.com")))
        {
            return email.Length;
        }

        // Compacted in place: the local part without its "+tag" and dots, then "@" and the domain.
        var local = email[..at];
        var plus = local.IndexOf('+');
        var length = 0;
        foreach (var c in plus >= 0 ? local[..plus] : local)
        {
            if (c != '.')
            {
                email[length++] = c;
            }
        }

        if (length == 0)
        {
            return Invalid;
        }

        email[at..].CopyTo(email[length..]);
        return length + email.Length - at;
    }

    private static bool ContainsWhiteSpace(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The phone rules into <paramref name="destination"/> (<see cref="PhoneLength"/> long); its length, or <see cref="Invalid"/>.</summary>
    private static int NormalizePhone(ReadOnlySpan<char> raw, Country country, PhoneFormat format, Span<char> destination)
    {
        var text = raw.Trim();
        if (text.IsEmpty)
        {
            return Invalid;
        }

        var startsWith00 = text.StartsWith("00", StringComparison.Ordinal);
        var international = text[0] == '+' || startsWith00;

        // The digits go to the end of the destination, leaving room in front for the "+" and the country code.
        var digits = destination[(destination.Length - text.Length)..];
        var count = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                digits[count++] = c;
            }
            else if (char.IsAsciiLetter(c))
            {
                return Invalid;
            }
        }

        ReadOnlySpan<char> number = digits[..count];
        if (startsWith00)
        {
            number = number[2..];
        }

        var prefix = ReadOnlySpan<char>.Empty;
        if (!international)
        {
            if (!country.KeepsLeadingZero)
            {
                number = number.TrimStart('0'); // the trunk prefix, dialled only within the country
            }

            var carriesCallingCode = number.StartsWith(country.CallingCode, StringComparison.Ordinal) && number.Length > country.MaxNationalDigits;
            if (!carriesCallingCode)
            {
                prefix = country.CallingCode;
            }
        }

        var length = prefix.Length + number.Length;
        if (length is < 8 or > 15 || (prefix.IsEmpty ? number[0] : prefix[0]) == '0')
        {
            return Invalid;
        }

        var plus = format == PhoneFormat.E164 ? 1 : 0;
        number.CopyTo(destination[(plus + prefix.Length)..]); // moves left (or stays): the digits sit at the end
        prefix.CopyTo(destination[plus..]);
        if (plus == 1)
        {
            destination[0] = '+';
        }

        return plus + length;
    }

    /// <summary>The zip rules into <paramref name="destination"/> (at least as long as <paramref name="raw"/>); its length, or <see cref="Invalid"/>.</summary>
    private static int NormalizeZip(ReadOnlySpan<char> raw, Country country, Span<char> destination)
    {
        var text = raw.Trim();
        if (text.IsEmpty)
        {
            return Invalid;
        }

        if (country.Code == "IN")
        {
            return NormalizePin(text, destination);
        }

        if (country.Code == "US")
        {
            var digits = 0;
            while (digits < text.Length && digits < 5 && char.IsAsciiDigit(text[digits]))
            {
                digits++;
            }

            if (digits < 5)
            {
                return Invalid;
            }

            text[..5].CopyTo(destination);
            return 5;
        }

        // Lower-cased first (the span methods refuse to work in place), then compacted in place.
        var lower = destination[..text.ToLowerInvariant(destination)];
        var length = 0;
        foreach (var c in lower)
        {
            if (!char.IsWhiteSpace(c))
            {
                destination[length++] = c;
            }
        }

        return length;
    }

    /// <summary>India's PIN: exactly six digits, the first not 0; spaces and '-' between them are dropped.</summary>
    private static int NormalizePin(ReadOnlySpan<char> text, Span<char> destination)
    {
        var length = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c) && length < 6)
            {
                destination[length++] = c;
            }
            else if (!char.IsWhiteSpace(c) && c != '-')
            {
                return Invalid; // a letter, another symbol, or a seventh digit
            }
        }

        return length == 6 && destination[0] != '0' ? length : Invalid;
    }
}

/// <summary>An identifier field of a member (the numbers order <see cref="MemberBatch"/>'s lists).</summary>
public enum MemberField
{
    Email = 0,
    Phone = 1,
    Zip = 2,
}
