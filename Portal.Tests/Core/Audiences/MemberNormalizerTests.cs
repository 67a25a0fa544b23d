using Portal.Core.Audiences;

namespace Portal.Tests.Core.Audiences;

/// <summary>Expected hashes were computed independently (Python's hashlib) from the normalized strings.</summary>
public sealed class MemberNormalizerTests
{
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
    [InlineData("(415) 555-0123", "1", PhoneFormat.E164, "+14155550123")]
    [InlineData("+1 415.555.0123", "1", PhoneFormat.E164, "+14155550123")]
    [InlineData("001 415 555 0123", "1", PhoneFormat.E164, "+14155550123")]
    [InlineData("+1 (415) 555-0123", "1", PhoneFormat.DigitsOnly, "14155550123")]
    [InlineData("098765 43210", "91", PhoneFormat.E164, "+919876543210")]
    [InlineData("+91 98765 43210", "1", PhoneFormat.E164, "+919876543210")]
    public void NormalizePhone_Valid_IsE164(string raw, string country, PhoneFormat format, string expected) =>
        Assert.Equal(expected, MemberNormalizer.NormalizePhone(raw, country, format));

    [Theory]
    [InlineData("12345")]
    [InlineData("+1 800 FLOWERS")]
    [InlineData("+1234567890123456")]
    [InlineData("")]
    public void NormalizePhone_Invalid_IsNull(string raw) => Assert.Null(MemberNormalizer.NormalizePhone(raw));

    [Theory]
    [InlineData("94103", "US", "94103")]
    [InlineData(" 94103-1234 ", "US", "94103")]
    [InlineData("941", "US", null)]
    [InlineData("SW1A 1AA", "GB", "sw1a1aa")]
    public void NormalizeZip_ByCountry_FollowsThePublishedRules(string raw, string country, string? expected) =>
        Assert.Equal(expected, MemberNormalizer.NormalizeZip(raw, country));

    [Theory]
    [InlineData(MemberField.Email, " Test@Example.com", "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b")]
    [InlineData(MemberField.Phone, "(415) 555-0123", "36a2cef4ff9bf7a1abd2a93359136b870393be4106e6c5d19b72ff564f9deca4")]
    [InlineData(MemberField.Zip, "94103-1234", "91dc2519ea98c5002cf2091e6a12b772eafdce9dca618e626d7d3b8275361789")]
    public void Hash_RawValue_MatchesIndependentSha256(MemberField field, string raw, string expected) =>
        Assert.Equal(expected, MemberNormalizer.Hash(field, raw, NormalizationOptions.Default));

    [Fact]
    public void Hash_MetaPhoneFormat_HashesDigitsWithoutPlus() =>
        Assert.Equal("413ba75461ab5f99d36820e561ea97e2bd80f9cb586f7ecea6cf4c496518950a",
            MemberNormalizer.Hash(MemberField.Phone, "+1 415 555 0123", new NormalizationOptions(Phone: PhoneFormat.DigitsOnly)));

    [Fact]
    public void Hash_GmailRule_WhenAsked() =>
        Assert.Equal("3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586",
            MemberNormalizer.Hash(MemberField.Email, "John.Smith@gmail.com", new NormalizationOptions(GmailRule: true)));

    [Fact]
    public void Hash_AlreadyHashed_PassesThroughLowerCased()
    {
        const string hashed = "973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B";
        Assert.Equal(hashed.ToLowerInvariant(), MemberNormalizer.Hash(MemberField.Email, hashed, NormalizationOptions.Default));
    }

    [Fact]
    public void HashStats_MixedMember_CountsInvalidAndNeverKeepsRawValues()
    {
        var stats = new HashStats();
        var member = new Member(["Test@Example.com", "not-an-email", "test@example.com"], ["(415) 555-0123", "123"], ["94103", "abc"]);
        var hashed = stats.Hash(member, NormalizationOptions.Default);

        Assert.Equal(["973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"], hashed.Emails);
        Assert.Single(hashed.Phones);
        Assert.Single(hashed.Zips);
        Assert.All(hashed.Emails.Concat(hashed.Phones).Concat(hashed.Zips), h => Assert.True(MemberNormalizer.IsSha256Hex(h)));
        Assert.Equal((1, 1, 1, 3), (stats.InvalidEmails, stats.InvalidPhones, stats.InvalidZips, stats.Invalid));

        stats.Hash(new Member(["bad"], [], []), NormalizationOptions.Default);
        Assert.Equal(2, stats.Members);
        Assert.Equal(1, stats.EmptyMembers);
    }

    [Fact]
    public void NormalizeEmail_GmailRuleLeavesNothing_IsNull() => Assert.Null(MemberNormalizer.NormalizeEmail(".+tag@gmail.com", gmailRule: true));

    [Fact]
    public void HashStats_ZipsNotUsed_AreNeitherHashedNorCountedInvalid()
    {
        var stats = new HashStats();
        var hashed = stats.Hash(new Member([], [], ["94103", "abc"]), new NormalizationOptions(UseZip: false));

        Assert.Empty(hashed.Zips);
        Assert.True(hashed.IsEmpty);
        Assert.Equal(0, stats.Invalid);
        Assert.Equal(1, stats.EmptyMembers);
    }

    [Fact]
    public void HashStats_AlreadyHashedValues_KeepTheirLowerCaseHexOnce()
    {
        const string upper = "973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B";
        var hashed = new HashStats().Hash(new Member([$" {upper} ", "test@example.com", upper.ToLowerInvariant()], [], []), NormalizationOptions.Default);

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
        var options = new NormalizationOptions(GmailRule: true, Phone: PhoneFormat.DigitsOnly);
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
            MemberField.Phone => MemberNormalizer.NormalizePhone(raw),
            _ => MemberNormalizer.NormalizeZip(raw),
        };

        Assert.Equal(MemberNormalizer.Sha256Hex(normalized!), MemberNormalizer.Hash(field, raw, NormalizationOptions.Default));
    }
}
