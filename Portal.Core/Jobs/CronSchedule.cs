using System.Globalization;
using Cronos;

namespace Portal.Core.Jobs;

/// <summary>
/// Parses user-entered cron (5 fields, or 6 with seconds first; @daily and friends) with Cronos, and refuses one that
/// would run more often than a minimum interval (<see cref="DefaultMinInterval"/> unless configured otherwise), such as
/// an every-second 6-field expression.
/// </summary>
public static class CronSchedule
{
    /// <summary>The shortest time a schedule may leave between two runs, unless <c>Jobs:MinScheduleIntervalSeconds</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultMinInterval = TimeSpan.FromMinutes(1);

    /// <summary>Runs looked at to find an expression's shortest gap: enough to cover every field's cycle in practice.</summary>
    private const int GapSample = 1000;

    /// <summary>From a fixed instant, so the same expression always gets the same answer.</summary>
    private static readonly DateTime GapSampleStart = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static bool TryParse(string? text, out CronExpression? expression, out string? error) =>
        TryParse(text, DefaultMinInterval, out expression, out error);

    /// <summary>Parses <paramref name="text"/>; false with the reason when it is not cron or runs closer together than <paramref name="minInterval"/>.</summary>
    public static bool TryParse(string? text, TimeSpan minInterval, out CronExpression? expression, out string? error)
    {
        expression = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "Cron expression is empty. Example: '0 2 * * *' runs daily at 02:00 UTC.";
            return false;
        }

        var trimmed = text.Trim();
        var fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        if (!trimmed.StartsWith('@') && fields is not (5 or 6))
        {
            error = $"Cron expression '{trimmed}' has {fields} field(s); expected 5 (minute hour day month weekday) or 6 (with seconds first).";
            return false;
        }

        try
        {
            expression = CronExpression.Parse(trimmed, format);
        }
        catch (CronFormatException ex)
        {
            error = $"Cron expression '{trimmed}' is not valid: {ex.Message}";
            return false;
        }

        if (ShortestGap(expression) is { } gap && gap < minInterval)
        {
            expression = null;
            error = $"Cron expression '{trimmed}' runs as often as every {Span(gap)}; a schedule may run at most once every {Span(minInterval)}.";
            return false;
        }

        return true;
    }

    /// <summary>The shortest time between two runs of <paramref name="expression"/> (null when it runs at most once).</summary>
    public static TimeSpan? ShortestGap(CronExpression expression)
    {
        TimeSpan? shortest = null;
        DateTime? previous = null;
        foreach (var run in expression.GetOccurrences(GapSampleStart, GapSampleStart.AddYears(100)).Take(GapSample))
        {
            if (previous is { } p && (shortest is null || run - p < shortest))
            {
                shortest = run - p;
            }

            previous = run;
        }

        return shortest;
    }

    /// <summary>A span in words: "second", "20 seconds", "minute", "5 minutes".</summary>
    private static string Span(TimeSpan span) => span.TotalSeconds switch
    {
        1 => "second",
        60 => "minute",
        var s when s >= 60 && s % 60 == 0 => string.Create(CultureInfo.InvariantCulture, $"{s / 60:0} minutes"),
        var s => string.Create(CultureInfo.InvariantCulture, $"{s:0.###} seconds"),
    };

    public static CronExpression Parse(string text) =>
        TryParse(text, out var expression, out var error) ? expression! : throw new FormatException(error);

    /// <summary>The next <paramref name="count"/> run times after <paramref name="from"/>, in UTC.</summary>
    public static IReadOnlyList<DateTime> NextOccurrences(string cron, DateTime from, int count = 5)
    {
        var expression = Parse(cron);
        var result = new List<DateTime>(count);
        var cursor = DateTime.SpecifyKind(from, DateTimeKind.Utc);
        while (result.Count < count && expression.GetNextOccurrence(cursor, TimeZoneInfo.Utc) is { } next)
        {
            result.Add(next);
            cursor = next;
        }

        return result;
    }
}
