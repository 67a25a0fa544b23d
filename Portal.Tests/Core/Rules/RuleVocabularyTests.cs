using Microsoft.EntityFrameworkCore;
using Portal.Core.Customers;
using Portal.Core.Rules;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Rules;

/// <summary>The builder's pickers: kept between visits, read again after an import, and in the background once old.</summary>
public sealed class RuleVocabularyTests : DatabaseTest
{
    [Fact]
    public async Task Pickers_AfterAnImportIntoTransactions_ListItsNewCategoryAndMerchantAtOnce()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var vocabulary = host.Get<RuleVocabulary>();
        Assert.DoesNotContain("Pilgrimage", await vocabulary.CategoriesAsync());
        Assert.DoesNotContain("Uploaded Air", await vocabulary.MerchantsAsync());

        await host.ImportedAsync("credit_card_transactions", null, "cards.csv", Csv(CardHeader, Card(9_200_001, 1, 150m, "Pilgrimage")));

        Assert.Contains("Pilgrimage", await vocabulary.CategoriesAsync());
        Assert.Contains("Uploaded Air", await vocabulary.MerchantsAsync());
    }

    [Fact]
    public async Task Pickers_RowsWrittenBehindThePortal_AreKeptUntilOldThenReadAgainInTheBackground()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var vocabulary = host.Get<RuleVocabulary>();
        var clock = (FixedClock)host.Get<TimeProvider>();
        var before = await vocabulary.CategoriesAsync();

        // Another instance's import: this portal does not see it happen.
        await using (var db = await host.DbAsync())
        {
            db.UpiTransactions.Add(new UpiTransaction
            {
                TransactionId = 9_300_001, UserId = 1, Amount = 10m, Description = "Temple Trust", Category = "Pilgrimage",
                TransactionDate = clock.Now.UtcDateTime,
            });
            await db.SaveChangesAsync();
        }

        Assert.Same(before, await vocabulary.CategoriesAsync());
        clock.Now += RuleVocabulary.MaxAge + TimeSpan.FromSeconds(1);
        // The caller after the age runs out still gets the kept values at once, and starts a read for the next.
        Assert.Same(before, await vocabulary.CategoriesAsync());
        await host.WaitUntilAsync(async () => (await vocabulary.CategoriesAsync()).Contains("Pilgrimage"), "the background read");
        Assert.Contains("Temple Trust", await vocabulary.MerchantsAsync());
        Assert.Equal(await CategoriesInTheTablesAsync(host), await vocabulary.CategoriesAsync());
    }

    [Fact]
    public async Task Warm_ThenRowsWrittenBehindThePortal_FirstPickerCallGivesTheValuesReadWhenWarmed()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var vocabulary = host.Get<RuleVocabulary>();
        var clock = (FixedClock)host.Get<TimeProvider>();

        await vocabulary.WarmAsync();
        await using (var db = await host.DbAsync())
        {
            db.UpiTransactions.Add(new UpiTransaction
            {
                TransactionId = 9_300_002, UserId = 1, Amount = 10m, Description = "Temple Trust", Category = "Pilgrimage",
                TransactionDate = clock.Now.UtcDateTime,
            });
            await db.SaveChangesAsync();
        }

        // No read now: what the warm-up read (the write came from behind the portal, so it is seen once the values are old).
        Assert.DoesNotContain("Pilgrimage", await vocabulary.CategoriesAsync());
        Assert.Contains("Groceries", await vocabulary.CategoriesAsync());
    }

    [Fact]
    public async Task Pickers_ManyFirstCallersAtOnce_AllGetTheSameValues()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var vocabulary = host.Get<RuleVocabulary>();

        var lists = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => vocabulary.CitiesAsync())));

        Assert.All(lists, l => Assert.Same(lists[0], l));
        await using var db = await host.DbAsync();
        Assert.Equal(await db.Customers.Select(c => c.City).Distinct().OrderBy(c => c).ToListAsync(), lists[0]);
    }

    [Fact]
    public async Task Pickers_MoreThanAThousandMerchants_OfferTheFirstThousandOfEachTableByName()
    {
        await using var host = await RuleHostExtensions.StartWithDemoDataAsync(Folder);
        var clock = (FixedClock)host.Get<TimeProvider>();
        await using (var db = await host.DbAsync())
        {
            // Written last first, so that the order rows were stored in is not the order of their names.
            for (var i = 1_199; i >= 0; i--)
            {
                db.CreditCardTransactions.Add(new CreditCardTransaction
                {
                    TransactionId = 9_400_000 + i, UserId = 1, Amount = 10m, Merchant = $"Merchant {i:D4}", Category = "Shopping",
                    TransactionDate = clock.Now.UtcDateTime,
                });
            }

            await db.SaveChangesAsync();
        }

        // Written behind the portal: seen once the values kept (perhaps read as the host started) are old.
        var vocabulary = host.Get<RuleVocabulary>();
        clock.Now += RuleVocabulary.MaxAge + TimeSpan.FromSeconds(1);
        await vocabulary.MerchantsAsync();
        await host.WaitUntilAsync(async () => (await vocabulary.MerchantsAsync()).Contains("Merchant 0000"), "the read after the rows were written");
        var merchants = await vocabulary.MerchantsAsync();

        await using var check = await host.DbAsync();
        var cards = await check.CreditCardTransactions.Select(t => t.Merchant).Distinct().ToListAsync();
        var upi = await check.UpiTransactions.Select(t => t.Description).Distinct().ToListAsync();
        var expected = cards.Order(StringComparer.Ordinal).Take(1000).Union(upi.Order(StringComparer.Ordinal).Take(1000)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, merchants);
        Assert.Contains("Merchant 0000", merchants);
        Assert.DoesNotContain("Merchant 1199", merchants);
    }

    private static async Task<List<string>> CategoriesInTheTablesAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        return (await db.CreditCardTransactions.Select(t => t.Category).Distinct().ToListAsync())
            .Union(await db.UpiTransactions.Select(t => t.Category).Distinct().ToListAsync()).Order(StringComparer.Ordinal).ToList();
    }
}
