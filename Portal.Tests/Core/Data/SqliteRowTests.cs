using System.Globalization;
using System.Text;
using Portal.Core.Data;

namespace Portal.Tests.Core.Data;

public sealed class SqliteRowTests
{
    [Theory]
    [InlineData("2024-03-01T14:05:00.0000000")]
    [InlineData("0001-01-01T00:00:00.0000000")]
    [InlineData("9999-12-31T23:59:59.9999999")]
    [InlineData("2026-10-10T12:00:00.5000000")]
    [InlineData("2026-10-10T12:00:00.0000010")]
    [InlineData("2024-02-29T07:08:09.1234560")]
    public void FormatDate_Value_WritesWhatTheGeneralFormatterWrites(string iso)
    {
        var value = DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

        Assert.Equal(General(value), Formatted(value));
    }

    [Fact]
    public void FormatDate_ManyRandomValues_WritesWhatTheGeneralFormatterWrites()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 20_000; i++)
        {
            var value = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            if (i % 3 == 0)
            {
                value = new DateTime(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            }

            Assert.Equal(General(value), Formatted(value));
        }
    }

    private static string General(DateTime value) => value.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private static string Formatted(DateTime value)
    {
        var buffer = new byte[64];
        return Encoding.ASCII.GetString(buffer, 0, SqliteRow.FormatDate(value, buffer));
    }
}
