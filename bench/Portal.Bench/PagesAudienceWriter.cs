using System.Globalization;
using System.Text;
using Portal.Core.Audiences;

namespace Portal.Bench;

/// <summary>
/// N audience state files as a marketing team's bucket holds them (one per campaign × market, seeded): most fed by one
/// of the generated segments, some by an HTTP endpoint, some never fetched; each exported to two or three adtechs, most
/// posted (an id and a 200), some failed (a 4xx or 5xx answer), some never posted; a handful of files that do not parse.
/// </summary>
internal static class PagesAudienceWriter
{
    private static readonly string[] Campaigns =
    [
        "spring-sale", "summer-travel", "diwali-gifts", "monsoon-deals", "card-upgrade", "upi-cashback", "loyalty-gold", "win-back",
        "new-joiners", "fuel-rewards", "dining-club", "electronics-week", "back-to-school", "wedding-season", "year-end",
    ];

    private static readonly string[] Markets = ["mumbai", "delhi", "bengaluru", "hyderabad", "chennai", "pune", "kolkata", "jaipur", "lucknow", "kochi", "tier2", "tier3"];
    private static readonly string[] Endpoints = ["crm-export/", "loyalty-api/", "web-events/", "partner-feed/", "app-signups/"];
    private static readonly string[] Adtechs = [AdtechKeys.AdtechA, AdtechKeys.AdtechB, AdtechKeys.Meta, AdtechKeys.GoogleAds];

    private static readonly (int Status, string Message)[] Failures =
    [
        (400, "Invalid audience definition"), (401, "Token expired"), (429, "Rate limit exceeded, retry later"), (500, "Internal error"), (503, "Service unavailable"),
    ];

    public sealed record Written(int Files, int Posted, int Failed, int NeverPosted, int Unparseable);

    /// <summary>The audiences' names, in the order they are written.</summary>
    public static IReadOnlyList<string> Names(int count) =>
        Enumerable.Range(0, count).Select(i => $"{Campaigns[i % Campaigns.Length]}_{Markets[i / Campaigns.Length % Markets.Length]}_{i + 1:D5}").ToList();

    public static async Task<Written> WriteAsync(IBucket bucket, IReadOnlyList<string> segmentNames, int count, int seed = 2026)
    {
        var random = new Random(seed);
        var names = Names(count);
        // About one file in 2,000 is broken (a hand edit gone wrong), at least one.
        var unparseable = Math.Max(1, count / 2_000);
        var broken = Enumerable.Range(0, unparseable).Select(i => (i * 2 + 1) * count / (unparseable * 2)).ToHashSet();
        int posted = 0, failed = 0, neverPosted = 0;
        for (var j = 0; j < count; j++)
        {
            var name = names[j];
            if (broken.Contains(j))
            {
                await bucket.WriteTextAsync(AudienceCatalog.StatePath(name), $"{name}:\n  description: 'Hand edit left unclosed\n  source: [segment\n  adtechB: {{name: \n", null);
                continue;
            }

            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{name}:\n");
            var fetched = random.NextDouble() < 0.85;
            var date = $"'2026{random.Next(9, 12):D2}{random.Next(1, 29):D2}'";
            if (random.NextDouble() < 0.12)
            {
                var endpoint = Endpoints[random.Next(Endpoints.Length)];
                text.Append(CultureInfo.InvariantCulture, $"  description: Customers from {endpoint.TrimEnd('/')} for {name}.\n");
                text.Append(CultureInfo.InvariantCulture, $"  source:\n    endpoint: {endpoint}\n    params:\n      batch: {j}\n");
            }
            else
            {
                var segment = segmentNames[random.Next(segmentNames.Count)];
                text.Append(CultureInfo.InvariantCulture, $"  description: {Quote($"{name}: members of segment {segment}.")}\n");
                text.Append(CultureInfo.InvariantCulture, $"  source:\n    segment: {Quote(segment)}\n");
            }

            if (fetched)
            {
                text.Append(CultureInfo.InvariantCulture, $"    last_response:\n      date: {date}\n      status: 200\n      message: 'Success'\n");
            }

            var first = random.Next(Adtechs.Length);
            var adtechs = random.NextDouble() < 0.6 ? 2 : 3;
            for (var k = 0; k < adtechs; k++)
            {
                var key = Adtechs[(first + k) % Adtechs.Length];
                text.Append(CultureInfo.InvariantCulture, $"  {key}:\n    name: {Quote($"{name} ({AdtechKeys.DisplayName(key)})")}\n");
                foreach (var (setting, value) in AdtechKeys.DefaultSettings(key))
                {
                    text.Append(CultureInfo.InvariantCulture, $"    {setting}: {value}\n");
                }

                var outcome = fetched ? random.NextDouble() : 1.0;
                if (outcome < 0.78)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    id: '{key}-{j + 1}'\n    last_response:\n      date: {date}\n      status: 200\n      message: 'Success'\n");
                    posted++;
                }
                else if (outcome < 0.88)
                {
                    var (status, message) = Failures[random.Next(Failures.Length)];
                    text.Append(CultureInfo.InvariantCulture, $"    last_response:\n      date: {date}\n      status: {status}\n      message: '{message}'\n");
                    failed++;
                }
                else
                {
                    neverPosted++;
                }
            }

            await bucket.WriteTextAsync(AudienceCatalog.StatePath(name), text.ToString(), null);
        }

        return new Written(count, posted, failed, neverPosted, unparseable);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
