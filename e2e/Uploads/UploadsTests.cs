using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Uploads;

[Collection(PortalCollection.Name)]
public sealed class UploadsTests(PortalFixture portal)
{
    /// <summary>
    /// Card transactions of the fixture's demo customers (user_id 1–3,000), with ids far above the demo data's:
    /// <paramref name="rows"/> rows, the first <paramref name="duplicates"/> repeated at the end, one without a merchant
    /// (required), and optionally an amount that is not a number on <paramref name="badAmountAt"/>.
    /// </summary>
    private static byte[] CardTransactionsCsv(int rows, long firstId, int duplicates = 0, int? missingMerchantAt = null, int? badAmountAt = null)
    {
        var lines = new List<string>(rows + duplicates);
        for (var i = 0; i < rows; i++)
        {
            var id = firstId + i;
            var amount = i == badAmountAt ? "ten" : (100 + (i % 900) + 0.25).ToString("0.00", CultureInfo.InvariantCulture);
            var merchant = i == missingMerchantAt ? "" : $"Shop {i % 40}";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id},{1 + (i % 3000)},{amount},{merchant},Groceries,2025-0{1 + (i % 9)}-1{i % 10} 10:{i % 60:00}:00"));
        }

        lines.AddRange(lines.Take(duplicates).ToList());
        return Encoding.UTF8.GetBytes("transaction_id,user_id,amount,merchant,category,transaction_date\n" + string.Join('\n', lines) + "\n");
    }

    private static async Task ChooseDatasetAsync(IPage page, string displayName)
    {
        await page.GetByLabel("Dataset", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = displayName, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = $"Schema of {displayName}" })).ToBeVisibleAsync();
    }

    /// <summary>
    /// Sets the file on the drop zone's input once Blazor's InputFile has bound its change listener (its init marks the
    /// element); on a busy machine a file set before that would go unnoticed.
    /// </summary>
    private static async Task ChooseFileAsync(IPage page, FilePayload file)
    {
        await page.WaitForFunctionAsync("() => document.querySelector('input[type=file][aria-label=\"CSV file\"]')?._blazorInputFileNextFileId !== undefined");
        await page.GetByLabel("CSV file").SetInputFilesAsync(file);
    }

    [Fact]
    public async Task Upload_CardTransactionsWithDuplicatesAndAMissingValue_ShowsProgressCountsAndTheCatalogRow()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/uploads");
        await ChooseDatasetAsync(page, "Credit-card transactions");
        var upload = page.GetByRole(AriaRole.Region, new() { Name = "Upload a file" });
        await Expect(upload).ToContainTextAsync("into Credit-card transactions (all)");

        const string file = "cards-e2e.csv";
        await ChooseFileAsync(page, new FilePayload
        {
            Name = file, MimeType = "text/csv", Buffer = CardTransactionsCsv(3000, 50_000_000, duplicates: 2, missingMerchantAt: 17),
        });

        // The bytes sent, then the import job, then what it kept.
        var sent = page.GetByRole(AriaRole.Progressbar, new() { Name = "Upload progress" });
        await Expect(sent).ToBeVisibleAsync();
        await Expect(sent).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 60_000 });
        await Expect(upload.GetByRole(AriaRole.Progressbar, new() { NameRegex = new Regex("^Progress of job \\d+$") })).ToBeVisibleAsync();
        var outcome = page.GetByRole(AriaRole.Group, new() { Name = $"Outcome of {file}" });
        await Expect(outcome).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(outcome.GetByLabel("Rows in", new() { Exact = true })).ToHaveTextAsync("3,002");
        await Expect(outcome.GetByLabel("Kept", new() { Exact = true })).ToHaveTextAsync("2,999");
        await Expect(outcome.GetByLabel("Dropped", new() { Exact = true })).ToHaveTextAsync("3");
        await Expect(outcome.GetByLabel("Duplicate in the file")).ToHaveTextAsync("2");
        await Expect(outcome.GetByLabel("Missing a required value")).ToHaveTextAsync("1");
        await Expect(outcome.GetByLabel("Key already stored")).ToHaveTextAsync("0");
        await Expect(page.GetByText($"Imported {file}: kept 2,999 of 3,002 rows, dropped 3")).ToBeVisibleAsync();

        // The catalog grid has the row, without a reload.
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = file });
        await Expect(row).ToContainTextAsync("Credit-card transactions");
        await Expect(row).ToContainTextAsync("Imported");
        await Expect(row).ToContainTextAsync("3,002");
        await Expect(row).ToContainTextAsync("2,999");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "uploads.png") });
        await AssertAccessibleAsync(page);

        // Its details name where the rows went and the job that imported them.
        await row.ClickAsync();
        var details = page.GetByRole(AriaRole.Region, new() { Name = $"Details of {file}" });
        await Expect(details).ToContainTextAsync("datasets/credit_card_transactions/all/cards-e2e.parquet");
        await Expect(details.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Job \\d+$") })).ToHaveAttributeAsync("href", new Regex("^jobs\\?job=\\d+$"));
        await details.GetByRole(AriaRole.Button, new() { Name = "Close details" }).ClickAsync();

        // Data health follows the chosen dataset, its days by transaction_date: this file's rows are dated in 2025 and the
        // demo's own file's in the last week, so all days together (the range shown first) keep both files' rows.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Data health" }).ClickAsync();
        await Expect(page.GetByLabel("Days counted")).ToHaveTextAsync("by transaction_date");
        await Expect(page.GetByLabel("Rows kept", new() { Exact = true })).ToHaveTextAsync((2_999 + PortalFixture.DemoCardFileRows).ToString("N0", CultureInfo.InvariantCulture));
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Rows per day of Credit-card transactions" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
    }

    /// <summary>An axe scan once the toasts are gone (one fading out fails the contrast check for a moment).</summary>
    private static async Task AssertAccessibleAsync(IPage page)
    {
        foreach (var close in await page.Locator(".mud-snackbar button").AllAsync())
        {
            try
            {
                await close.ClickAsync(new() { Timeout = 2_000 });
            }
            catch (TimeoutException)
            {
                // that toast went away by itself in the meantime
            }
        }

        await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "critical" or "serious").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
    }

    [Fact]
    public async Task Upload_AmountThatIsNotANumber_ShowsTheRejectionNamingLineAndColumn()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/uploads?dataset=credit_card_transactions");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Schema of Credit-card transactions" })).ToBeVisibleAsync();

        const string file = "cards-bad-amount.csv";
        await ChooseFileAsync(page, new FilePayload
        {
            Name = file, MimeType = "text/csv", Buffer = CardTransactionsCsv(200, 60_000_000, badAmountAt: 41),
        });

        // The header is line 1: the 42nd row is line 43; amount is the third column.
        var rejection = page.GetByRole(AriaRole.Region, new() { Name = "Upload a file" }).GetByLabel("Rejection");
        await Expect(rejection).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(rejection).ToContainTextAsync("line 43, column 3 (\"amount\")");
        await Expect(rejection).ToContainTextAsync("column amount");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = file })).ToContainTextAsync("Rejected");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "uploads-rejected.png") });
    }
}
