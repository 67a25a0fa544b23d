using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Uploads;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Uploads;

/// <summary>The Uploads page on a real core (SQLite, bucket, jobs): the catalog grid, roles, the schema, data health and an upload.</summary>
public sealed class UploadsPageTests : DatabaseTest
{
    /// <summary>Two files: an upload imported by its job, and a drop-folder file rejected. Returns the import job's id.</summary>
    private static async Task<long> SeedCatalogAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        var now = DateTime.UtcNow;
        var job = new Portal.Core.Jobs.JobRecord
        {
            Kind = DatasetImportJob.Kind, Title = "Import users-march.csv into users (all)", Status = Portal.Core.Jobs.JobStatus.Succeeded, MaxAttempts = 3,
            RequestedBy = "m@tests.local", CreatedAt = now.AddMinutes(-3),
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync();
        db.ImportedFiles.AddRange(
            new ImportedFile
            {
                Dataset = DatasetCatalog.Users, Partition = DatasetSchema.WholePartition, FileName = "users-march.csv", Status = ImportStatus.Imported,
                Source = ImportSource.Upload, RowsIn = 3002, RowsKept = 2999, DroppedDuplicate = 2, DroppedMissing = 1, SizeBytes = 272_000,
                Checksum = "0123456789ab" + new string('f', 52), StoredPath = "datasets/users/all/users-march.parquet", ImportedBy = "m@tests.local",
                ImportedAt = now.AddMinutes(-2), DurationMs = 450, JobId = job.Id,
            },
            new ImportedFile
            {
                Dataset = DatasetCatalog.CreditCardTransactions, Partition = DatasetSchema.WholePartition, FileName = "cards-bad.csv",
                Status = ImportStatus.Rejected, Source = ImportSource.DropFolder, SizeBytes = 4_700, ImportedBy = "scan",
                Error = "line 9, column 3 (\"amount\"): 'ten' is not a valid Decimal", ErrorLine = 9, ErrorColumn = "amount", ImportedAt = now.AddMinutes(-1),
            });
        await db.SaveChangesAsync();
        return job.Id;
    }

    private static IReadOnlyList<string> Cells(AngleSharp.Dom.IElement row) => [.. row.Children.Select(c => c.TextContent.Trim())];

    [Fact]
    public async Task CatalogGrid_WithImportedFiles_ShowsRowsNewestFirstWithCounts()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedCatalogAsync(host);
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);

        var grid = ctx.Render<ImportedFilesGrid>();

        await grid.WaitForAssertionAsync(() => Assert.Equal(2, grid.FindAll("tbody tr.mud-table-row").Count));
        var rows = grid.FindAll("tbody tr.mud-table-row");
        var rejected = Cells(rows[0]);
        Assert.StartsWith("cards-bad.csv", rejected[0], StringComparison.Ordinal);
        Assert.Equal("Credit-card transactions", rejected[1]);
        Assert.Equal("Rejected", rejected[3]);
        var imported = Cells(rows[1]);
        Assert.StartsWith("users-march.csv", imported[0], StringComparison.Ordinal);
        Assert.Equal(["Users", "all", "Imported", "3,002", "2,999", "3"], imported.Skip(1).Take(6));
        // The checksum is shortened in the cell; the whole SHA-256 is in its label and tooltip.
        Assert.Equal("0123456789ab", imported[7]);
        Assert.NotNull(rows[1].QuerySelector($"[aria-label='SHA-256 0123456789ab{new string('f', 52)}']"));
        Assert.Contains("m@tests.local", imported[8], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogGrid_DetailsClicked_ShowsErrorLineColumnAndJobLink()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var job = await SeedCatalogAsync(host);
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);
        var grid = ctx.Render<ImportedFilesGrid>();
        await grid.WaitForAssertionAsync(() => grid.Find("button[aria-label='Details of cards-bad.csv']"));

        await grid.InvokeAsync(() => grid.Find("button[aria-label='Details of cards-bad.csv']").ClickAsync(new()));

        var details = grid.WaitForElement("[role=region][aria-label='Details of cards-bad.csv']");
        Assert.Contains("line 9, column 3 (\"amount\")", details.QuerySelector("[aria-label=Rejection]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("column amount", details.TextContent, StringComparison.Ordinal);
        Assert.Contains("drop folder", details.TextContent, StringComparison.Ordinal);

        await grid.InvokeAsync(() => grid.Find("button[aria-label='Details of users-march.csv']").ClickAsync(new()));
        grid.WaitForAssertion(() => Assert.Equal($"jobs?job={job}", grid.Find("[aria-label='Details of users-march.csv'] a[href^='jobs']").GetAttribute("href")));
        Assert.Contains("datasets/users/all/users-march.parquet", grid.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadsPage_ForViewer_HasNoUploadZoneNorScanButton()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedCatalogAsync(host);
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);

        var page = ctx.Render<Portal.Components.Pages.Uploads.Uploads>();

        // The catalog and the schema are there for everyone...
        await page.WaitForAssertionAsync(() => Assert.Equal(2, page.FindAll("tbody tr.mud-table-row").Count));
        Assert.NotNull(page.Find("[role=region][aria-label='Schema of Users']"));
        // ...the upload zone and the scan are not, and the page says why.
        Assert.Empty(page.FindAll("input[type=file]"));
        Assert.Empty(page.FindAll("[role=region][aria-label='Upload a file']"));
        Assert.DoesNotContain("Scan drop folder now", page.Markup, StringComparison.Ordinal);
        Assert.Contains("needs the Admin or Marketer role", page.Find("[aria-label='Uploads need an operator']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadsPage_ForMarketer_ShowsUploadZoneAndScanButton()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);

        var page = ctx.Render<Portal.Components.Pages.Uploads.Uploads>();

        await page.WaitForAssertionAsync(() => Assert.Single(page.FindAll("input[type=file]")));
        Assert.Equal(".csv,text/csv", page.Find("input[type=file]").GetAttribute("accept"));
        Assert.Contains("Scan drop folder now", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[aria-label='Uploads need an operator']"));
    }

    [Fact]
    public async Task SchemaPanel_DatasetInTheQuery_ListsThatDatasetsColumnsAndHeaderLine()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("uploads?dataset=credit_card_transactions");

        var page = ctx.Render<Portal.Components.Pages.Uploads.Uploads>();

        var schema = page.WaitForElement("[role=region][aria-label='Schema of Credit-card transactions']");
        var rows = schema.QuerySelectorAll("[aria-label=Columns] tbody tr").Select(r => r.Children.Select(c => c.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(["transaction_id", "user_id", "amount", "merchant", "category", "transaction_date"], rows.Select(r => r[0]));
        Assert.Equal(["integer", "yes"], rows[0].Skip(1).Take(2));
        Assert.NotNull(schema.QuerySelector("tbody tr:first-child [aria-label='Key column']"));
        Assert.Equal("decimal (2 places)", rows[2][1]);
        Assert.Equal("transaction_id,user_id,amount,merchant,category,transaction_date", schema.QuerySelector("code.uploads-header-code")!.TextContent);
        var template = schema.QuerySelector("a[download]")!;
        Assert.Equal("credit_card_transactions-template.csv", template.GetAttribute("download"));
        Assert.StartsWith("data:text/csv;charset=utf-8,transaction_id%2Cuser_id", template.GetAttribute("href"), StringComparison.Ordinal);
        // The upload panel takes files into the same dataset.
        Assert.Contains("into Credit-card transactions (all)", page.Find("[role=region][aria-label='Upload a file']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchemaPanel_QuarterlyDataset_ListsItsKeyColumns()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);

        var panel = ctx.Render<DatasetSchemaPanel>(p => p.Add(x => x.Schema, DatasetCatalog.Find(DatasetCatalog.Impressions)!));

        var rows = panel.FindAll("[aria-label=Columns] tbody tr");
        Assert.Equal(["banner_id", "campaign_id"], rows.Select(r => r.Children[0].TextContent.Trim()));
        Assert.Equal(2, panel.FindAll("[aria-label='Key column']").Count);
        Assert.Contains("by quarter", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthTab_SuddenDropAndZeroDay_ListsBothFlaggedDaysWithWarningChips()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using (var db = await host.DbAsync())
        {
            var first = new DateOnly(2026, 3, 1);
            for (var i = 0; i < 10; i++)
            {
                if (i == 5)
                {
                    continue; // no import that day: a zero day between days with rows
                }

                var kept = i == 9 ? 200 : 1000; // a fifth of the week before's median: a sudden drop
                db.DatasetHealthDays.Add(new DatasetHealthDay
                {
                    Dataset = DatasetCatalog.Clicks, Day = first.AddDays(i), FilesImported = 1, RowsIn = kept + 10, RowsKept = kept, DuplicateRows = 10,
                    MissingValues = 3, Cells = (kept + 10) * 3,
                });
            }

            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);

        var panel = ctx.Render<DatasetHealthPanel>(p => p.Add(x => x.Dataset, DatasetCatalog.Clicks));

        var table = panel.WaitForElement(".mud-simple-table[aria-label='Flagged days']");
        var rows = table.QuerySelectorAll("tbody tr");
        Assert.Equal(2, rows.Length);
        Assert.Equal("2026-03-06", rows[0].Children[0].TextContent.Trim());
        Assert.Equal("Zero day", rows[0].Children[1].TextContent.Trim());
        Assert.Equal("2026-03-10", rows[1].Children[0].TextContent.Trim());
        var chip = rows[1].Children[1].QuerySelector(".mud-chip")!;
        Assert.Equal("Sudden drop", chip.TextContent.Trim());
        Assert.Contains("warning", chip.ClassName, StringComparison.Ordinal);
        Assert.Equal("200", rows[1].Children[2].TextContent.Trim());
        Assert.Equal("1,000", rows[1].Children[3].TextContent.Trim());
        Assert.Equal("2", panel.Find("[aria-label='Number of flagged days']").TextContent.Trim());
        Assert.NotNull(panel.Find("[role=img][aria-label='Rows per day of Clicks'] svg"));
    }

    [Fact]
    public async Task HealthTab_CardTransactions_SaysItsDaysAreByTransactionDate()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using (var db = await host.DbAsync())
        {
            db.DatasetHealthDays.Add(new DatasetHealthDay { Dataset = DatasetCatalog.CreditCardTransactions, Day = new DateOnly(2026, 3, 1), FilesImported = 1, RowsIn = 5, RowsKept = 5 });
            db.DatasetHealthDays.Add(new DatasetHealthDay { Dataset = DatasetCatalog.Clicks, Day = new DateOnly(2026, 3, 1), FilesImported = 1, RowsIn = 5, RowsKept = 5 });
            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);

        var cards = ctx.Render<DatasetHealthPanel>(p => p.Add(x => x.Dataset, DatasetCatalog.CreditCardTransactions));
        var clicks = ctx.Render<DatasetHealthPanel>(p => p.Add(x => x.Dataset, DatasetCatalog.Clicks));

        Assert.Equal("by transaction_date", cards.WaitForElement("[aria-label='Days counted']").TextContent.Trim());
        Assert.Equal("by import day", clicks.WaitForElement("[aria-label='Days counted']").TextContent.Trim());
        Assert.Empty(cards.FindAll("[aria-label='Files rejected']"));
        Assert.NotNull(clicks.Find("[aria-label='Files rejected']"));
    }

    [Fact]
    public async Task HealthTab_NoImports_SaysSo()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);

        var panel = ctx.Render<DatasetHealthPanel>(p => p.Add(x => x.Dataset, DatasetCatalog.Conversions));

        var empty = panel.WaitForElement("[aria-label='No data health']");
        Assert.Contains("No imports into Conversions yet", empty.TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll(".mud-chart, [aria-label='Flagged days']"));
    }

    private static string UsersCsv(int rows, int firstId, int? missingNameAt = null, int duplicates = 0, int? badTierAt = null)
    {
        var csv = new StringBuilder("user_id,name,email,phone,zip_code,city,city_tier,created_at\n");
        var lines = new List<string>();
        for (var i = 0; i < rows; i++)
        {
            var id = firstId + i;
            var name = i == missingNameAt ? "" : $"User {id}";
            var tier = i == badTierAt ? "two" : (1 + (id % 3)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            lines.Add($"{id},{name},user{id}@example.com,,,Pune,{tier},2025-01-15 10:00:00");
        }

        lines.AddRange(lines.Take(duplicates).ToList());
        return csv.AppendJoin('\n', lines).Append('\n').ToString();
    }

    [Fact]
    public async Task UploadPanel_CsvWithDuplicatesAndAMissingValue_ShowsRowsInKeptAndDroppedByReason()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var panel = ctx.Render<UploadPanel>(p => p.Add(x => x.Schema, DatasetCatalog.Find(DatasetCatalog.Users)!));

        panel.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromText(UsersCsv(500, 1000, missingNameAt: 3, duplicates: 2), "new-users.csv", contentType: "text/csv"));

        var outcome = panel.WaitForElement("[role=group][aria-label='Outcome of new-users.csv']", TimeSpan.FromSeconds(60));
        Assert.Equal("502", StatValue(outcome, "Rows in"));
        Assert.Equal("499", StatValue(outcome, "Kept"));
        Assert.Equal("3", StatValue(outcome, "Dropped"));
        Assert.Equal("2", outcome.QuerySelector("dd[aria-label='Duplicate in the file']")!.TextContent);
        Assert.Equal("1", outcome.QuerySelector("dd[aria-label='Missing a required value']")!.TextContent);
        Assert.Equal("0", outcome.QuerySelector("dd[aria-label='Key already stored']")!.TextContent);
        Assert.Equal("100", panel.Find("[aria-label='Upload progress']").GetAttribute("aria-valuenow"));
        var file = Assert.Single((await host.Get<ImportedFileQueries>().ListAsync(new ImportedFileFilter(), ImportedFileQueries.Newest, 0, 10)).Items);
        Assert.Equal("m@tests.local", file.ImportedBy);
        Assert.Equal("100", panel.Find($"[aria-label='Progress of job {file.JobId}']").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public async Task UploadPanel_ValueOfTheWrongType_ShowsTheRejectionNamingLineAndColumn()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var panel = ctx.Render<UploadPanel>(p => p.Add(x => x.Schema, DatasetCatalog.Find(DatasetCatalog.Users)!));

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(UsersCsv(20, 1, badTierAt: 6), "bad-tier.csv", contentType: "text/csv"));

        var rejection = panel.WaitForElement("[aria-label=Rejection]", TimeSpan.FromSeconds(60));
        // The header is line 1, so the seventh row is line 8; city_tier is the seventh column.
        Assert.Contains("line 8, column 7 (\"city_tier\")", rejection.TextContent, StringComparison.Ordinal);
        Assert.Contains("column city_tier", rejection.TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[role=group][aria-label^='Outcome of']"));
    }

    [Fact]
    public async Task UploadPanel_QuarterlyDataset_NeedsAValidQuarterBeforeAFileCanBeChosen()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var panel = ctx.Render<UploadPanel>(p => p.Add(x => x.Schema, DatasetCatalog.Find(DatasetCatalog.Clicks)!));

        Assert.True(panel.Find("input[type=file]").HasAttribute("disabled"));
        Assert.Contains("partitioned by quarter", panel.Markup, StringComparison.Ordinal);

        await panel.Find(".uploads-partition input").InputAsync(new() { Value = "2024-Q7" });
        panel.WaitForAssertion(() => Assert.Contains("'2024-Q7' is not a quarter", panel.Markup, StringComparison.Ordinal));
        Assert.True(panel.Find("input[type=file]").HasAttribute("disabled"));

        await panel.Find(".uploads-partition input").InputAsync(new() { Value = "2024-q3" });
        panel.WaitForAssertion(() => Assert.False(panel.Find("input[type=file]").HasAttribute("disabled")));
        Assert.Contains("Stored as 2024-Q3", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadsPage_WhileAFileIsSent_HoldsTheDatasetPickerThenFreesIt()
    {
        var bucket = new GatedBucket(Path.Combine(Folder.Path, "bucket"));
        await using var host = await CoreHost.StartAsync(Folder, services: s => s.AddSingleton<IBucket>(bucket));
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = ctx.Render<Portal.Components.Pages.Uploads.Uploads>();
        await page.WaitForAssertionAsync(() => Assert.Single(page.FindAll("input[type=file]")));
        AngleSharp.Dom.IElement Picker() => page.Find(".uploads-dataset input");
        Assert.False(Picker().HasAttribute("disabled"));

        // UploadFiles returns when the panel's handler does, which waits for the gate: sent from another thread.
        var input = page.FindComponent<InputFile>();
        var uploading = Task.Run(() => input.UploadFiles(InputFileContent.CreateFromText(UsersCsv(10, 1), "users.csv", contentType: "text/csv")));
        await bucket.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await page.WaitForAssertionAsync(() => Assert.True(Picker().HasAttribute("disabled")));
        Assert.Contains("Held while the file is sent", page.Markup, StringComparison.Ordinal);
        bucket.Release.SetResult();
        await uploading.WaitAsync(TimeSpan.FromSeconds(30));
        await page.WaitForAssertionAsync(() => Assert.False(Picker().HasAttribute("disabled")));
        page.WaitForElement("[role=group][aria-label='Outcome of users.csv']", TimeSpan.FromSeconds(60));
    }

    /// <summary>A bucket that holds an upload's write (under uploads/incoming) until the test releases it.</summary>
    private sealed class GatedBucket(string path) : LocalBucketDecorator(path)
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
        {
            if (path.StartsWith(DatasetFiles.UploadsFolder + "/", StringComparison.Ordinal))
            {
                Entered.TrySetResult();
                await Release.Task.WaitAsync(cancellationToken);
            }

            await Inner.WriteAsync(path, write, cancellationToken);
        }
    }

    private static string StatValue(AngleSharp.Dom.IElement outcome, string label)
    {
        var id = outcome.QuerySelectorAll("span.uploads-stat-label").Single(l => l.TextContent == label).Id;
        return outcome.QuerySelector($"[aria-labelledby='{id}']")!.TextContent;
    }
}
