using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Core.Adtech.Matching;

/// <summary>
/// What an adtech reported about an audience after a run: <see cref="Received"/> the members it holds (where it says),
/// <see cref="MatchedLow"/>–<see cref="MatchedHigh"/> those it matched to its users (equal when exact), and
/// <see cref="AdtechRate"/> its own match rate in percent where it gives one. Not <see cref="Succeeded"/>: the report
/// could not be read, and <see cref="Message"/> says why.
/// </summary>
public sealed record MatchReport(bool Succeeded, string Message, long? Received = null, long? MatchedLow = null, long? MatchedHigh = null, int? AdtechRate = null)
{
    public static MatchReport Failed(string message) => new(false, message);

    /// <summary>A count as adtechs send them: a JSON number or a numeric string (Meta's, Google's int64); null when absent.</summary>
    public static long? Count(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<long>(out var n) => n,
        JsonValue v when v.TryGetValue<string>(out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    /// <summary>The seed-style report of AdtechA and AdtechB: <c>{"id", "num_received", "num_matched"}</c>.</summary>
    public static MatchReport OfReceivedAndMatched(JsonNode? body) =>
        Count(body?["num_matched"]) is { } matched
            ? new MatchReport(true, "Reported", Count(body?["num_received"]), matched, matched)
            : Failed("the report has no num_matched");
}
