using System.Globalization;

namespace Portal.Core.Jobs;

/// <summary>
/// Cron in words for the common shapes (every N minutes, hourly, daily, weekly, monthly, at set hours); anything else
/// is described field by field. Times are UTC, as the scheduler runs them.
/// </summary>
public static class CronDescription
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    public static string Describe(string cron)
    {
        if (!CronSchedule.TryParse(cron, out _, out var error))
        {
            return error!;
        }

        var text = cron.Trim();
        switch (text.ToLowerInvariant())
        {
            case "@yearly" or "@annually":
                return "Every year on 1 January at 00:00 UTC";
            case "@monthly":
                return "On day 1 of every month at 00:00 UTC";
            case "@weekly":
                return "Every Sunday at 00:00 UTC";
            case "@daily" or "@midnight":
                return "Every day at 00:00 UTC";
            case "@hourly":
                return "Every hour, on the hour";
            case "@every_minute":
                return "Every minute";
            case "@every_second":
                return "Every second";
        }

        var f = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var seconds = f.Length == 6 ? f[0] : "0";
        var (minute, hour, day, month, weekday) = f.Length == 6 ? (f[1], f[2], f[3], f[4], f[5]) : (f[0], f[1], f[2], f[3], f[4]);
        if (seconds != "0")
        {
            return $"Cron with seconds: {text} (UTC)";
        }

        string? when = (minute, hour) switch
        {
            ("*", "*") => "every minute",
            (var m, "*") when m.StartsWith("*/", StringComparison.Ordinal) => $"every {m[2..]} minutes",
            (var m, "*") when IsNumber(m) => m == "0" ? "every hour, on the hour" : $"every hour at {int.Parse(m, CultureInfo.InvariantCulture)} minutes past",
            (var m, var h) when IsNumber(m) && h.StartsWith("*/", StringComparison.Ordinal) => $"every {h[2..]} hours at minute {m}",
            (var m, var h) when IsNumber(m) && h.Split(',').All(IsNumber) => "at " + string.Join(", ", h.Split(',').Select(x => $"{int.Parse(x, CultureInfo.InvariantCulture):00}:{int.Parse(m, CultureInfo.InvariantCulture):00}")) + " UTC",
            _ => null,
        };
        if (when is null)
        {
            return $"Minute {minute}, hour {hour}, day {day}, month {month}, weekday {weekday} (UTC)";
        }

        var on = (day, month, weekday) switch
        {
            ("*", "*", "*") => when.StartsWith("at ", StringComparison.Ordinal) ? "Every day" : "",
            ("*", "*", var w) when w.Split(',').All(x => IsNumber(x) && int.Parse(x, CultureInfo.InvariantCulture) is >= 0 and <= 7) =>
                "Every " + string.Join(", ", w.Split(',').Select(x => Days[int.Parse(x, CultureInfo.InvariantCulture) % 7])),
            ("*", "*", "1-5") => "Every weekday (Monday to Friday)",
            (var d, "*", "*") when IsNumber(d) => $"On day {d} of every month",
            _ => $"On day {day}, month {month}, weekday {weekday}",
        };
        var sentence = on.Length == 0 ? when : $"{on} {when}";
        return char.ToUpperInvariant(sentence[0]) + sentence[1..];
    }

    private static bool IsNumber(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}
