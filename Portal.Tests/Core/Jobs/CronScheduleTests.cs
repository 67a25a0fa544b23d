using Portal.Core.Jobs;

namespace Portal.Tests.Core.Jobs;

public sealed class CronScheduleTests
{
    [Fact]
    public void NextOccurrences_DailyAtTwo_GivesFiveConsecutiveDays()
    {
        var from = new DateTime(2026, 11, 22, 13, 0, 0, DateTimeKind.Utc);
        var runs = CronSchedule.NextOccurrences("0 2 * * *", from);
        Assert.Equal(
            [new(2026, 11, 23, 2, 0, 0), new(2026, 11, 24, 2, 0, 0), new(2026, 11, 25, 2, 0, 0), new(2026, 11, 26, 2, 0, 0), new(2026, 11, 27, 2, 0, 0)],
            runs.Select(r => DateTime.SpecifyKind(r, DateTimeKind.Unspecified)).ToArray());
    }

    [Fact]
    public void NextOccurrences_SixFields_ReadsSecondsFirst()
    {
        var from = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var runs = CronSchedule.NextOccurrences("*/20 * * * * *", from, 3);
        Assert.Equal([20, 40, 0], runs.Select(r => r.Second).ToArray());
    }

    [Theory]
    [InlineData("", "Cron expression is empty")]
    [InlineData("61 * * * *", "'61 * * * *' is not valid")]
    [InlineData("* * *", "has 3 field(s); expected 5")]
    [InlineData("0 2 * * MON-XYZ", "is not valid")]
    public void TryParse_Malformed_SaysWhatIsWrong(string cron, string expected)
    {
        Assert.False(CronSchedule.TryParse(cron, out var expression, out var error));
        Assert.Null(expression);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Macro_IsAccepted() => Assert.True(CronSchedule.TryParse("@daily", out _, out _));

    [Fact]
    public void BackoffFor_Attempts_DoublesUpToTheCap()
    {
        var options = new JobOptions { RetryBaseSeconds = 10, RetryMaxSeconds = 60 };
        Assert.Equal([10, 20, 40, 60], new[] { 1, 2, 3, 4 }.Select(a => options.BackoffFor(a).TotalSeconds).ToArray());
    }
}
