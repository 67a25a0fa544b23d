using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>
/// Expected hashes were computed independently from the normalized strings (Python's hashlib, or
/// <c>printf '%s' 919876543210 | sha256sum</c>), never by the code under test.
/// </summary>
public sealed class MemberNormalizerTests
{
    private static readonly Country US = CountryOf("US");
    private static readonly Country IN = CountryOf("IN");
    private static readonly NormalizationOptions Us = new(US);
    private static readonly NormalizationOptions In = new(IN);

    private static Country CountryOf(string code) => Country.TryGet(code, out var country) ? country : throw new ArgumentException(code);

    [Theory]
    [InlineData("  Test@Example.COM ", false, "test@example.com")]
    [InlineData("John.Smith@Gmail.com", false, "john.smith@gmail.com")]
    [InlineData("John.Smith@Gmail.com", true, "johnsmith@gmail.com")]
    [InlineData("j.o.h.n@googlemail.com", true, "john@googlemail.com")]
    [InlineData("john.smith@outlook.com", true, "john.smith@outlook.com")]
    [InlineData("John.Smith+News@Gmail.com", true, "johnsmith@gmail.com")]
    [InlineData("j.ohn+a+b@googlemail.com", true, "john@googlemail.com")]
    [InlineData("john+news@outlook.com", true, "john+news@outlook.com")]
    [InlineData("john+news@gmail.com", false, "john+news@gmail.com")]
    public void NormalizeEmail_Valid_FollowsThePublishedRules(string raw, bool gmail, string expected) =>
        Assert.Equal(expected, MemberNormalizer.NormalizeEmail(raw, gmail));

    [Theory]
    [InlineData("")]
    [InlineData("no-at-sign")]
    [InlineData("two@@example.com")]
    [InlineData("@example.com")]
    [InlineData("user@localhost")]
    [InlineData("us er@example.com")]
    public void NormalizeEmail_Invalid_IsNull(string raw) => Assert.Null(MemberNormalizer.NormalizeEmail(raw));

    [Theory]
    [InlineData("(415) 555-0123", "US", PhoneFormat.E164, "+14155550123")]
    [InlineData("+1 415.555.0123", "US", PhoneFormat.E164, "+14155550123")]
    [InlineData("001 415 555 0123", "US", PhoneFormat.E164, "+14155550123")]
    [InlineData("1 415 555 0123", "US", PhoneFormat.E164, "+14155550123")]
    [InlineData("+1 (415) 555-0123", "US", PhoneFormat.DigitsOnly, "14155550123")]
    [InlineData("098765 43210", "IN", PhoneFormat.E164, "+919876543210")]
    [InlineData("91 98765 43210", "IN", PhoneFormat.E164, "+919876543210")]
    [InlineData("91987 65432", "IN", PhoneFormat.E164, "+919198765432")]
    [InlineData("+91 98765 43210", "US", PhoneFormat.E164, "+919876543210")]
    [InlineData("07700 900123", "GB", PhoneFormat.E164, "+447700900123")]
    [InlineData("138 1234 5678", "CN", PhoneFormat.E164, "+8613812345678")]
    [InlineData("06 1234 5678", "IT", PhoneFormat.E164, "+390612345678")]
    public void NormalizePhone_Valid_IsE164(string raw, string country, PhoneFormat format, string expected) =>
        Assert.Equal(expected, MemberNormalizer.NormalizePhone(raw, CountryOf(country), format));

    [Theory]
    [InlineData("12345")]
    [InlineData("+1 800 FLOWERS")]
    [InlineData("+1234567890123456")]
    [InlineData("")]
    public void NormalizePhone_Invalid_IsNull(string raw) => Assert.Null(MemberNormalizer.NormalizePhone(raw, US));

    [Theory]
    [InlineData("94103", "US", "94103")]
    [InlineData(" 94103-1234 ", "US", "94103")]
    [InlineData("941", "US", null)]
    [InlineData("560 001", "IN", "560001")]
    [InlineData(" 400-050 ", "IN", "400050")]
    [InlineData("560001", "IN", "560001")]
    [InlineData("56000", "IN", null)]
    [InlineData("5600011", "IN", null)]
    [InlineData("056001", "IN", null)]
    [InlineData("560 00A", "IN", null)]
    [InlineData("SW1A 1AA", "GB", "sw1a1aa")]
    [InlineData("K1A 0B1", "CA", "k1a0b1")]
    public void NormalizeZip_ByCountry_FollowsThePublishedRules(string raw, string country, string? expected) =>
        Assert.Equal(expected, MemberNormalizer.NormalizeZip(raw, CountryOf(country)));

    [Theory]
    [InlineData(MemberField.Email, " Test@Example.com", "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b")]
    [InlineData(MemberField.Phone, "(415) 555-0123", "36a2cef4ff9bf7a1abd2a93359136b870393be4106e6c5d19b72ff564f9deca4")]
    [InlineData(MemberField.Zip, "94103-1234", "91dc2519ea98c5002cf2091e6a12b772eafdce9dca618e626d7d3b8275361789")]
    public void Hash_RawValue_MatchesIndependentSha256(MemberField field, string raw, string expected) =>
        Assert.Equal(expected, MemberNormalizer.Hash(field, raw, Us));

    [Fact]
    public void Hash_MetaPhoneFormat_HashesDigitsWithoutPlus() =>
        Assert.Equal("413ba75461ab5f99d36820e561ea97e2bd80f9cb586f7ecea6cf4c496518950a",
            MemberNormalizer.Hash(MemberField.Phone, "+1 415 555 0123", new NormalizationOptions(US, Phone: PhoneFormat.DigitsOnly)));

    [Fact]
    public void Hash_GmailRule_WhenAsked() =>
        Assert.Equal("3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586",
            MemberNormalizer.Hash(MemberField.Email, "John.Smith@gmail.com", new NormalizationOptions(US, GmailRule: true)));

    /// <summary>
    /// India and the US, by the adtechs' published rules: Meta hashes phones as digits with the country code and no "+",
    /// Google as E.164 with "+"; a phone without a country code gets the audience's (an Indian trunk 0 dropped first);
    /// an Indian PIN keeps its six digits, a US ZIP+4 is cut to five; emails are trimmed and lower-cased.
    /// </summary>
    [Theory]
    [InlineData("IN", MemberField.Phone, PhoneFormat.DigitsOnly, "98765 43210", "92b5072176e723878b5e06ff3ca61898e4eb74e8c46642a0f2db800b17364ab0")] // 919876543210
    [InlineData("IN", MemberField.Phone, PhoneFormat.DigitsOnly, "+91 98765-43210", "92b5072176e723878b5e06ff3ca61898e4eb74e8c46642a0f2db800b17364ab0")]
    [InlineData("IN", MemberField.Phone, PhoneFormat.DigitsOnly, "09876543210", "92b5072176e723878b5e06ff3ca61898e4eb74e8c46642a0f2db800b17364ab0")]
    [InlineData("IN", MemberField.Phone, PhoneFormat.E164, "98765 43210", "f3a47ce5ce3d4ca8ad15225a245b2759022f79489f5c62719b8c9490f7aab90e")] // +919876543210
    [InlineData("IN", MemberField.Phone, PhoneFormat.E164, "09876543210", "f3a47ce5ce3d4ca8ad15225a245b2759022f79489f5c62719b8c9490f7aab90e")]
    [InlineData("IN", MemberField.Zip, PhoneFormat.E164, "560 001", "46fd88b706823ba8207001fbac1e4bed13a40364452be4095c221ee0f74b7ad9")] // 560001
    [InlineData("IN", MemberField.Email, PhoneFormat.E164, " Priya.Sharma@Example.IN ", "8394d1070771556687e18f6ae696625685c81f447e0a76f94e25c2f90f73f1b6")] // priya.sharma@example.in
    [InlineData("US", MemberField.Phone, PhoneFormat.DigitsOnly, "(650) 555-1212", "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176")] // 16505551212
    [InlineData("US", MemberField.Phone, PhoneFormat.E164, "(650) 555-1212", "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8")] // +16505551212
    [InlineData("US", MemberField.Zip, PhoneFormat.E164, "94025-1234", "b9a9cf3cd3723a2e91b7c23ecf68456e872b6e5d86e5cab7f3d45a7302da32c7")] // 94025
    [InlineData("US", MemberField.Email, PhoneFormat.E164, "  Test@Example.COM", "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b")] // test@example.com
    public void Hash_CountryVectors_MatchIndependentSha256(string country, MemberField field, PhoneFormat format, string raw, string expected) =>
        Assert.Equal(expected, MemberNormalizer.Hash(field, raw, new NormalizationOptions(CountryOf(country), Phone: format)));

    [Fact]
    public void HashStats_DemoCustomersForIndia_DropNothingAndKeepSixDigitPins()
    {
        var customers = DemoDates.Generator().Customers(500).ToList();
        var stats = new HashStats();
        var hashed = customers.Select(c => stats.Hash(new Member([c.Email], [c.Phone], [c.ZipCode]), In)).ToList();

        Assert.Equal(0, stats.Invalid);
        Assert.All(customers, c => Assert.Matches("^[1-9][0-9]{5}$", c.ZipCode));
        for (var i = 0; i < customers.Count; i++)
        {
            // The PIN is hashed as it is: all six digits (a US rule would have cut it to five).
            var pin = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(customers[i].ZipCode)));
            Assert.Equal([pin], hashed[i].Zips);
        }
    }

    [Fact]
    public void Hash_SixDigitPin_IsNotCutToAUsZip()
    {
        var asIndia = MemberNormalizer.Hash(MemberField.Zip, "560001", In);
        Assert.Equal("46fd88b706823ba8207001fbac1e4bed13a40364452be4095c221ee0f74b7ad9", asIndia);
        Assert.NotEqual(asIndia, MemberNormalizer.Hash(MemberField.Zip, "560001", Us));
    }

    [Fact]
    public void Hash_AlreadyHashed_PassesThroughLowerCased()
    {
        const string hashed = "973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B";
        Assert.Equal(hashed.ToLowerInvariant(), MemberNormalizer.Hash(MemberField.Email, hashed, Us));
    }

    [Fact]
    public void HashStats_MixedMember_CountsInvalidAndNeverKeepsRawValues()
    {
        var stats = new HashStats();
        var member = new Member(["Test@Example.com", "not-an-email", "test@example.com"], ["(415) 555-0123", "123"], ["94103", "abc"]);
        var hashed = stats.Hash(member, Us);

        Assert.Equal(["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"], hashed.Emails);
        Assert.Single(hashed.Phones);
        Assert.Single(hashed.Zips);
        Assert.All(hashed.Emails.Concat(hashed.Phones).Concat(hashed.Zips), h => Assert.True(MemberNormalizer.IsSha256Hex(h)));
        Assert.Equal((1, 1, 1, 3), (stats.InvalidEmails, stats.InvalidPhones, stats.InvalidZips, stats.Invalid));

        stats.Hash(new Member(["bad"], [], []), Us);
        Assert.Equal(2, stats.Members);
        Assert.Equal(1, stats.EmptyMembers);
    }

    [Fact]
    public void NormalizeEmail_GmailRuleLeavesNothing_IsNull() => Assert.Null(MemberNormalizer.NormalizeEmail(".+tag@gmail.com", gmailRule: true));

    [Fact]
    public void HashStats_ZipsNotUsed_AreNeitherHashedNorCountedInvalid()
    {
        var stats = new HashStats();
        var hashed = stats.Hash(new Member([], [], ["94103", "abc"]), new NormalizationOptions(US, UseZip: false));

        Assert.Empty(hashed.Zips);
        Assert.True(hashed.IsEmpty);
        Assert.Equal(0, stats.Invalid);
        Assert.Equal(1, stats.EmptyMembers);
    }

    [Fact]
    public void HashStats_AlreadyHashedValues_KeepTheirLowerCaseHexOnce()
    {
        const string upper = "973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B";
        var hashed = new HashStats().Hash(new Member([$" {upper} ", "test@example.com", upper.ToLowerInvariant()], [], []), Us);

        Assert.Equal([upper.ToLowerInvariant()], hashed.Emails);
    }

    [Fact]
    public void HashStats_MembersOfABatch_HashAndCountAsTheMembersThemselves()
    {
        Member[] members =
        [
            new(["Test@Example.com", "not-an-email", "test@example.com", " "], ["(415) 555-0123", "123"], ["94103", "abc"]),
            new([], [], []),
            new([null!, "John.Smith+News@Gmail.com"], ["+1 415 555 0123"], ["94103-1234", "94103"]),
            new(["bad"], [], ["SW1A 1AA"]),
        ];
        var options = new NormalizationOptions(US, GmailRule: true, Phone: PhoneFormat.DigitsOnly);
        var batch = new MemberBatch();
        batch.Add(new Member(["left over from an earlier batch"], [], []));
        batch.Clear();
        foreach (var member in members)
        {
            batch.Add(member);
        }

        var (one, packed) = (new HashStats(), new HashStats());
        for (var i = 0; i < members.Length; i++)
        {
            var expected = one.Hash(members[i], options);
            var actual = packed.Hash(batch, i, options);
            Assert.Equal(expected.Emails, actual.Emails);
            Assert.Equal(expected.Phones, actual.Phones);
            Assert.Equal(expected.Zips, actual.Zips);
        }

        Assert.Equal(members.Length, batch.Count);
        Assert.Equal((one.Members, one.EmptyMembers, one.InvalidEmails, one.InvalidPhones, one.InvalidZips),
            (packed.Members, packed.EmptyMembers, packed.InvalidEmails, packed.InvalidPhones, packed.InvalidZips));
        Assert.Equal((4, 2, 2, 1, 2), (one.Members, one.EmptyMembers, one.InvalidEmails, one.InvalidPhones, one.InvalidZips));
    }

    [Theory]
    [InlineData(MemberField.Email)]
    [InlineData(MemberField.Phone)]
    [InlineData(MemberField.Zip)]
    public void Hash_ValueLongerThanTheStackBuffer_IsNormalizedTheSameWay(MemberField field)
    {
        var raw = field switch
        {
            MemberField.Email => new string('A', 600) + "@Example.com",
            MemberField.Phone => "+1 " + new string(' ', 600) + "415 555 0123",
            _ => "94103" + new string('-', 600),
        };
        var normalized = field switch
        {
            MemberField.Email => MemberNormalizer.NormalizeEmail(raw),
            MemberField.Phone => MemberNormalizer.NormalizePhone(raw, US),
            _ => MemberNormalizer.NormalizeZip(raw, US),
        };

        Assert.Equal(MemberNormalizer.Sha256Hex(normalized!), MemberNormalizer.Hash(field, raw, Us));
    }
}
