using Cronos;

namespace Portal.Core.Jobs;

/// <summary>Parses user-entered cron (5 fields, or 6 with seconds first; @daily and friends) with Cronos.</summary>
public static class CronSchedule
{
    public static bool TryParse(string? text, out CronExpression? expression, out string? error)
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
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"Cron expression '{trimmed}' is not valid: {ex.Message}";
            return false;
        }
    }

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
