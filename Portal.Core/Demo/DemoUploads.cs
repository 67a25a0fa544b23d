using System.Globalization;
using System.Text;
using Portal.Core.Customers;
using Portal.Core.Uploads;

namespace Portal.Core.Demo;

/// <summary>A small CSV file for one upload dataset, as a person would import it on the Uploads page.</summary>
public sealed record DemoUpload(string Dataset, string Partition, string FileName, string Csv);

/// <summary>What the customer tables already hold, so the demo's files add to them without clashing keys.</summary>
public sealed record DemoKeys(long LastUserId, long LastCardTransactionId, long LastUpiTransactionId);

/// <summary>
/// The demo's upload files: a few new customers, a week of their and others' card and UPI payments up to the demo
/// data's end, and two quarters of impressions, clicks and conversions (so the campaign revenue table has a trend).
/// Generated from <see cref="DemoDataGenerator"/>'s names, cities, merchants and amounts; the same keys and end give
/// the same files.
/// </summary>
public static class DemoUploads
{
    public const int NewCustomers = 40;
    public const int Transactions = 300;
    private const int Seed = 20_240_601;

    public static IReadOnlyList<DemoUpload> For(DateTime end, DemoKeys keys)
    {
        var generator = new DemoDataGenerator(end, Seed);
        var users = (int)Math.Min(int.MaxValue, keys.LastUserId + NewCustomers);
        var lastWeek = new Random(Seed);
        DateTime Recent() => generator.End.AddSeconds(-lastWeek.Next(1, 7 * 24 * 3600));
        var quarter = QuarterOf(generator.End.AddDays(-1));
        var previous = QuarterOf(generator.End.AddDays(-1).AddMonths(-3));

        var customers = Csv("user_id,name,email,phone,zip_code,city,city_tier,created_at",
            generator.Customers(NewCustomers, keys.LastUserId + 1).Select(c =>
                Row(c.UserId, c.Name, c.Email, c.Phone, c.ZipCode, c.City, c.CityTier, Iso(c.CreatedAt))));
        var card = Csv("transaction_id,user_id,amount,merchant,category,transaction_date",
            generator.CreditCardTransactions(Transactions, users).Select((t, i) =>
                Row(keys.LastCardTransactionId + 1 + i, t.UserId, t.Amount, t.Merchant, t.Category, Iso(Recent()))));
        var upi = Csv("transaction_id,user_id,amount,description,category,transaction_date",
            generator.UpiTransactions(Transactions, users).Select((t, i) =>
                Row(keys.LastUpiTransactionId + 1 + i, t.UserId, t.Amount, t.Description, t.Category, Iso(Recent()))));

        return
        [
            new(DatasetCatalog.Users, DatasetSchema.WholePartition, "demo-new-customers.csv", customers),
            new(DatasetCatalog.CreditCardTransactions, DatasetSchema.WholePartition, "demo-card-payments-last-week.csv", card),
            new(DatasetCatalog.UpiTransactions, DatasetSchema.WholePartition, "demo-upi-payments-last-week.csv", upi),
            .. AdFiles(previous, 1, 0.8),
            .. AdFiles(quarter, 2, 1.0),
        ];
    }

    /// <summary>Impressions, clicks and conversions of one quarter: 4 campaigns × 30 banners, about 1 in 4 clicked, 1 in 5 clicks converting.</summary>
    private static IEnumerable<DemoUpload> AdFiles(string quarter, int seed, double scale)
    {
        var random = new Random(Seed + seed);
        var impressions = new List<string>();
        var clicks = new List<string>();
        var conversions = new List<string>();
        long clickId = seed * 100_000L, conversionId = seed * 100_000L;
        for (var campaign = 101; campaign <= 104; campaign++)
        {
            for (var banner = 1; banner <= 30; banner++)
            {
                var bannerId = campaign * 1000L + banner;
                impressions.Add(Row(bannerId, campaign));
                for (var c = random.Next(0, 15); c > 0 && random.NextDouble() < 0.5; c--)
                {
                    clicks.Add(Row(++clickId, bannerId, campaign));
                    if (random.NextDouble() < 0.2)
                    {
                        conversions.Add(Row(++conversionId, clickId, Math.Round(scale * (400 + (random.NextDouble() * 4_600)), 2)));
                    }
                }
            }
        }

        yield return new(DatasetCatalog.Impressions, quarter, $"demo-impressions-{quarter}.csv", Csv("banner_id,campaign_id", impressions));
        yield return new(DatasetCatalog.Clicks, quarter, $"demo-clicks-{quarter}.csv", Csv("click_id,banner_id,campaign_id", clicks));
        yield return new(DatasetCatalog.Conversions, quarter, $"demo-conversions-{quarter}.csv", Csv("conversion_id,click_id,revenue", conversions));
    }

    private static string QuarterOf(DateTime day) => string.Create(CultureInfo.InvariantCulture, $"{day.Year}-Q{((day.Month - 1) / 3) + 1}");

    private static string Iso(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Csv(string header, IEnumerable<string> rows)
    {
        var text = new StringBuilder(header).Append('\n');
        foreach (var row in rows)
        {
            text.Append(row).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One CSV line; a value with a comma or quote is quoted (names and merchants such as "Domino's" have apostrophes only).</summary>
    private static string Row(params object?[] values) => string.Join(',', values.Select(v =>
    {
        var text = Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
        return text.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }));
}
