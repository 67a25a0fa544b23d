using Portal.Core.Audiences;

namespace Portal.Tests.Core.Audiences;

public sealed class CountryTests
{
    [Theory]
    [InlineData("IN", "91")]
    [InlineData("in", "91")]
    [InlineData("US", "1")]
    [InlineData("CA", "1")]
    [InlineData("GB", "44")]
    [InlineData("AE", "971")]
    [InlineData("SG", "65")]
    public void TryGet_KnownCode_GivesItsCallingCode(string code, string callingCode)
    {
        Assert.True(Country.TryGet(code, out var country));
        Assert.Equal((code.ToUpperInvariant(), callingCode), (country.Code, country.CallingCode));
        Assert.Null(Country.Problem(code));
    }

    [Theory]
    [InlineData("XX", "'XX' is not a country the portal knows how to normalize")]
    [InlineData("ind", "'ind' is not an ISO 3166-1 alpha-2 code")]
    [InlineData("9A", "'9A' is not an ISO 3166-1 alpha-2 code")]
    [InlineData(" ", "no country is given")]
    [InlineData(null, "no country is given")]
    public void TryGet_UnknownCode_IsRefusedWithTheReason(string? code, string reason)
    {
        Assert.False(Country.TryGet(code, out _));
        Assert.Contains(reason, Country.Problem(code), StringComparison.Ordinal);
    }

    [Fact]
    public void Lower_IsTheCodeAsMetaHashesIt() => Assert.Equal("in", Country.TryGet("IN", out var india) ? india.Lower : null);
}
