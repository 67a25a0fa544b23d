using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Components.Forms;
using Portal.Components.Pages.Uploads;
using Portal.Core.Accounts;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Web.Components.Uploads;

/// <summary>A file's details offer operators a re-import: the new version chosen, a confirmation naming what is replaced, then the job.</summary>
public sealed class ReimportPanelTests : DatabaseTest
{
    [Fact]
    public async Task Details_ForMarketer_ConfirmsNamingWhatIsReplacedThenReplacesTheFile()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var earlier = await host.ImportedAsync("clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "11,1,100", "12,1,100"));
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var details = ctx.Render<ImportedFileDetails>(p => p.Add(x => x.File, earlier));

        details.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromText("click_id,banner_id,campaign_id\n11,1,100\n", "clicks-fixed.csv", contentType: "text/csv"));

        var confirm = details.WaitForElement("[role=alertdialog][aria-label='Confirm the re-import']");
        Assert.StartsWith("Replace the 2 rows of clicks.csv in Clicks (2024-Q1), imported ", confirm.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("with clicks-fixed.csv (", confirm.TextContent, StringComparison.Ordinal);
        // The browser reads the chosen file through its input element: it stays in the page (hidden) until the read.
        Assert.NotEmpty(details.FindAll("input[type=file]"));
        await using (var db = await host.DbAsync())
        {
            Assert.False(await db.Jobs.AnyAsync(j => j.Kind == DatasetImportJob.Kind), "nothing is queued before the confirmation");
        }

        details.FindAll("button").Single(b => b.TextContent.Trim() == "Replace clicks.csv").Click();

        var status = details.WaitForElement("[role=status]", TimeSpan.FromSeconds(30));
        var jobId = long.Parse(status.QuerySelector("a")!.TextContent.Replace("job ", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        await host.WaitForJobAsync(jobId, j => j.IsFinished, "finished");
        var catalog = await CatalogAsync(host);
        Assert.Equal([(ImportStatus.Replaced, 2L), (ImportStatus.Imported, 1L)], catalog.Select(f => (f.Status, f.RowsKept)));
        Assert.Equal("m@tests.local", catalog[1].ImportedBy);
    }

    [Fact]
    public async Task Details_ForViewer_OffersNoReimport()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var earlier = await host.ImportedAsync("clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "11,1,100"));
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);

        var details = ctx.Render<ImportedFileDetails>(p => p.Add(x => x.File, earlier));

        Assert.Empty(details.FindAll("[role=region][aria-label='Re-import clicks.csv']"));
        Assert.Empty(details.FindComponents<InputFile>());
    }
}
