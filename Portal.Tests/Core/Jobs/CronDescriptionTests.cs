using Portal.Core.Jobs;

namespace Portal.Tests.Core.Jobs;

public sealed class CronDescriptionTests
{
    [Theory]
    [InlineData("0 3 * * *", "Every day at 03:00 UTC")]
    [InlineData("30 6,18 * * *", "Every day at 06:30, 18:30 UTC")]
    [InlineData("*/15 * * * *", "Every 15 minutes")]
    [InlineData("0 * * * *", "Every hour, on the hour")]
    [InlineData("0 2 * * 1", "Every Monday at 02:00 UTC")]
    [InlineData("0 9 * * 1-5", "Every weekday (Monday to Friday) at 09:00 UTC")]
    [InlineData("0 4 1 * *", "On day 1 of every month at 04:00 UTC")]
    [InlineData("@daily", "Every day at 00:00 UTC")]
    public void Describe_CommonShapes_InWords(string cron, string expected) => Assert.Equal(expected, CronDescription.Describe(cron));

    [Fact]
    public void Describe_Malformed_GivesTheParseError() =>
        Assert.Contains("has 3 field(s)", CronDescription.Describe("0 3 *"), StringComparison.Ordinal);
}
