using System.Diagnostics.CodeAnalysis;

namespace Portal.Core.Audiences;

/// <summary>
/// A country an audience's identifiers are normalized for: its ISO 3166-1 alpha-2 code (upper case), its calling code
/// (ITU-T E.164, without "+"), the longest national number it dials without the calling code (so a number without "+"
/// that starts with the calling code and is longer than that already carries it), and whether its numbers keep their
/// leading 0 after the calling code (Italy) instead of dropping it as a trunk prefix. Only countries in the table can
/// be normalized for: for any other code the portal refuses to guess.
/// </summary>
public sealed record Country(string Code, string CallingCode, int MaxNationalDigits, bool KeepsLeadingZero = false)
{
    private static readonly Dictionary<string, Country> Table = new Country[]
    {
        new("IN", "91", 10), new("US", "1", 10), new("CA", "1", 10), new("GB", "44", 10), new("IE", "353", 9),
        new("AU", "61", 9), new("NZ", "64", 10), new("SG", "65", 8), new("MY", "60", 10), new("ID", "62", 12),
        new("PH", "63", 10), new("TH", "66", 9), new("JP", "81", 10), new("KR", "82", 10), new("CN", "86", 11),
        new("HK", "852", 8), new("AE", "971", 9), new("SA", "966", 9), new("PK", "92", 10), new("BD", "880", 10),
        new("LK", "94", 9), new("NP", "977", 10), new("DE", "49", 11), new("FR", "33", 9), new("ES", "34", 9),
        new("IT", "39", 11, KeepsLeadingZero: true), new("NL", "31", 9), new("BE", "32", 9), new("CH", "41", 9),
        new("BR", "55", 11), new("MX", "52", 10), new("ZA", "27", 9),
    }.ToDictionary(c => c.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>The codes the portal can normalize for, in alphabetical order.</summary>
    public static IReadOnlyList<string> KnownCodes { get; } = Table.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The country of an alpha-2 code (any case, surrounding spaces ignored); false when it is not in the table.</summary>
    public static bool TryGet([NotNullWhen(true)] string? code, [NotNullWhen(true)] out Country? country)
    {
        country = null;
        return code is not null && Table.TryGetValue(code.Trim(), out country);
    }

    /// <summary>What is wrong with <paramref name="code"/> as a country, or null when it is a known one.</summary>
    public static string? Problem(string? code) =>
        string.IsNullOrWhiteSpace(code) ? "no country is given"
        : TryGet(code, out _) ? null
        : code.Trim().Length != 2 || !code.Trim().All(char.IsAsciiLetter) ? $"'{code.Trim()}' is not an ISO 3166-1 alpha-2 code (two letters, such as IN or US)"
        : $"'{code.Trim().ToUpperInvariant()}' is not a country the portal knows how to normalize phone numbers and postal codes for (known: {string.Join(", ", KnownCodes)})";

    /// <summary>The code as Meta hashes it for its <c>COUNTRY</c> key: lower case.</summary>
    public string Lower => Code.ToLowerInvariant();
}
