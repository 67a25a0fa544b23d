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
        var runs = CronSchedule.NextOccurrences("20 */2 * * * *", from, 3);
        Assert.Equal([(0, 20), (2, 20), (4, 20)], runs.Select(r => (r.Minute, r.Second)).ToArray());
    }

    [Theory]
    [InlineData("* * * * * *", "runs as often as every second; a schedule may run at most once every minute")]
    [InlineData("*/20 * * * * *", "runs as often as every 20 seconds")]
    [InlineData("0,1 * * * * *", "runs as often as every second")]
    public void TryParse_RunsMoreThanOnceAMinute_IsRefusedWithTheReason(string cron, string expected)
    {
        Assert.False(CronSchedule.TryParse(cron, out var expression, out var error));
        Assert.Null(expression);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30 * * * * *")]
    [InlineData("* * * * *")]
    [InlineData("@hourly")]
    public void TryParse_AtMostOnceAMinute_IsAccepted(string cron)
    {
        Assert.True(CronSchedule.TryParse(cron, out var expression, out var error), error);
        Assert.NotNull(expression);
    }

    [Fact]
    public void TryParse_LongerMinimum_RefusesEveryMinute()
    {
        Assert.False(CronSchedule.TryParse("* * * * *", TimeSpan.FromMinutes(5), out _, out var error));
        Assert.Contains("runs as often as every minute; a schedule may run at most once every 5 minutes", error, StringComparison.Ordinal);
        Assert.True(CronSchedule.TryParse("*/5 * * * *", TimeSpan.FromMinutes(5), out _, out _));
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
