using System.Globalization;
using Portal.Core.Uploads;

namespace Portal.Tests.Core.Uploads;

/// <summary>The fast paths for dates and amounts give what the framework's parsers give, or leave the text to them.</summary>
public sealed class FastParsingTests
{
    private const DateTimeStyles Utc = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;

    public static TheoryData<string> Dates() =>
    [
        "2024-03-01", "2024-03-01 14:05", "2024-03-01 14:05:00", "2024-03-01T14:05:09", "2024-03-01T14:05:09Z", "2024-03-01 14:05Z",
        "2024-03-01T14:05:09.1", "2024-03-01T14:05:09.1234567", "2024-03-01T14:05:09.1234567Z", "2024-03-01T14:05:09.12345678",
        "2024-03-01T14:05:09+05:30", "2024-03-01T00:05:09-14:00", "2024-03-01T00:05:09+14:01", "2024-03-01 14:05+05:30",
        "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "0000-01-01",
        "2024-03-01T24:00:00", "2024-03-01T23:60:00", "2024-03-01T23:59:60", "2024-03-01T14:05:09.", "2024-03-01 14:05:09 ",
        "2024-03-01x14:05", "2024-3-01", "2024-03-01T14", "2024-03-01T14:05:09z", "2024-03-01T14:05:09+0530", "2024-03-01T14:05:09+05",
        "2024-03-01T14:05:09GMT", "２０２４-03-01", "2024-03-01T14:05:09.1Z", "2024-03-01T14:05:09-00:00",
    ];

    [Theory]
    [MemberData(nameof(Dates))]
    public void TryParseIso_AnyText_SameAsTryParseExactOrLeftToIt(string text)
    {
        var expectedOk = DateTime.TryParseExact(text, DateTimeColumn.Formats, CultureInfo.InvariantCulture, Utc, out var expected);

        if (DateTimeColumn.TryParseIso(text, out var fast))
        {
            Assert.True(expectedOk, $"{text} is accepted only by the fast path");
            Assert.Equal((expected.Ticks, DateTimeKind.Utc), (fast.Ticks, fast.Kind));
        }
    }

    [Fact]
    public void TryParseIso_GeneratedCommonDates_TakesTheFastPathWithTheSameValue()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var at = new DateTime(2000, 1, 1).AddTicks((long)(random.NextDouble() * TimeSpan.TicksPerDay * 365 * 40));
            var text = at.ToString(random.Next(4) switch
            {
                0 => "yyyy-MM-dd HH:mm:ss",
                1 => "yyyy-MM-ddTHH:mm:ssZ",
                2 => "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
                _ => "yyyy-MM-dd HH:mm:ss.fff+05:30",
            }, CultureInfo.InvariantCulture);

            Assert.True(DateTimeColumn.TryParseIso(text, out var fast), text);
            Assert.True(DateTime.TryParseExact(text, DateTimeColumn.Formats, CultureInfo.InvariantCulture, Utc, out var expected), text);
            Assert.Equal(expected.Ticks, fast.Ticks);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("12")]
    [InlineData("12.5")]
    [InlineData("12.50")]
    [InlineData("-12.05")]
    [InlineData("007.10")]
    [InlineData("9999999999999999.99")]
    [InlineData("-9999999999999999.99")]
    [InlineData("-0")]
    [InlineData("-0.00")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1.505")]
    [InlineData("1.500")]
    [InlineData("+1.5")]
    [InlineData("1e3")]
    [InlineData("1,000.00")]
    [InlineData("99999999999999999")]
    [InlineData("--1")]
    [InlineData("")]
    public void TryParseCents_AnyText_SameAsDecimalTryParseOrLeftToIt(string text)
    {
        var expectedOk = decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var expected);

        if (DecimalColumn.TryParseCents(text, out var fast))
        {
            Assert.True(expectedOk, $"{text} is accepted only by the fast path");
            Assert.Equal(decimal.GetBits(expected), decimal.GetBits(fast));
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("1.50")]
    [InlineData("-0.01")]
    [InlineData("-12.05")]
    [InlineData("1.500")] // scale 3: computed the general way
    [InlineData("9999999999999999.99")]
    [InlineData("-9999999999999999.99")]
    [InlineData("92233720368547758.07")] // digits beyond 2^56: computed the general way
    [InlineData("-0.00")]
    public void Cents_AnyDecimalWithTwoPlacesOrFewer_SameAsMultiplyingByAHundred(string text)
    {
        var value = decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

        Assert.Equal(decimal.ToInt64(value * 100m), DecimalColumn.Cents(value));
    }

    [Fact]
    public void Cents_ParsedGeneratedAmounts_SameAsMultiplyingByAHundred()
    {
        var random = new Random(5);
        for (var i = 0; i < 10_000; i++)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"{(random.Next(2) == 0 ? "-" : "")}{random.NextInt64(0, 10_000_000_000)}.{random.Next(0, 100):00}");
            Assert.True(DecimalColumn.TryParseCents(text, out var value), text);
            Assert.Equal(decimal.ToInt64(value * 100m), DecimalColumn.Cents(value));
        }
    }
}
