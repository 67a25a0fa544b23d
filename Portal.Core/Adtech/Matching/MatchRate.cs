using System.Globalization;

namespace Portal.Core.Adtech.Matching;

/// <summary>
/// The share of an audience's members an adtech matched to its users: matched ÷ members, where members are every
/// member of the audience's member file (those whose values were all invalid included). A range when the adtech
/// reports one (Meta's approximate lower and upper bounds), one figure when <see cref="Low"/> equals <see cref="High"/>.
/// </summary>
public sealed record MatchRate(double Low, double High)
{
    /// <summary>The rate of <paramref name="matchedLow"/>–<paramref name="matchedHigh"/> out of <paramref name="members"/>; null without a figure or members.</summary>
    public static MatchRate? Of(long? matchedLow, long? matchedHigh, long? members)
    {
        if (members is not > 0 || (matchedLow ?? matchedHigh) is not { } low)
        {
            return null;
        }

        var high = matchedHigh ?? low;
        return new MatchRate(Share(Math.Min(low, high), members.Value), Share(Math.Max(low, high), members.Value));
    }

    /// <summary>As a page shows it: "34 %", or "32–35 %" for a range (whole percents, never above 100).</summary>
    public string Text => Percent(Low) == Percent(High) ? $"{Percent(Low)} %" : $"{Percent(Low)}–{Percent(High)} %";

    private static double Share(long matched, long members) => Math.Clamp((double)matched / members, 0, 1);

    private static string Percent(double share) => Math.Round(share * 100, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture);
}
