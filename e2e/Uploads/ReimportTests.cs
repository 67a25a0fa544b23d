using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Uploads;

/// <summary>A forced re-import from the file's details: the new version is read from the browser and replaces the rows.</summary>
[Collection(PortalCollection.Name)]
public sealed class ReimportTests(PortalFixture portal)
{
    [Fact]
    public async Task Reimport_NewVersionOfTheDemosClicksFile_ConfirmedThenReplacesItsRows()
    {
        var page = await portal.NewPageAsync(height: 1000);
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/uploads");
        var earlier = page.GetByRole(AriaRole.Row).Filter(new() { HasTextRegex = new Regex(@"demo-clicks-20\d\d-Q\d\.csv") }).First;
        var file = Regex.Match(await earlier.InnerTextAsync(), @"demo-clicks-20\d\d-Q\d\.csv").Value;
        await earlier.ClickAsync();

        var region = page.GetByRole(AriaRole.Region, new() { Name = $"Re-import {file}" });
        await Expect(region).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("label => document.querySelector(`input[type=file][aria-label=\"${label}\"]`)?._blazorInputFileNextFileId !== undefined",
            $"New version of {file}");
        await region.GetByLabel($"New version of {file}").SetInputFilesAsync(new FilePayload
        {
            Name = file, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("click_id,banner_id,campaign_id\n900001,101001,101\n900002,101002,101\n900003,102001,102\n"),
        });

        var confirm = page.GetByRole(AriaRole.Alertdialog, new() { Name = "Confirm the re-import" });
        await Expect(confirm).ToContainTextAsync($"rows of {file} in Clicks");
        await confirm.GetByRole(AriaRole.Button, new() { Name = $"Replace {file}" }).ClickAsync();
        await Expect(region.GetByRole(AriaRole.Status)).ToContainTextAsync(new Regex(@"Re-import queued: job \d+"));

        // The catalog: the earlier import Replaced, the new one Imported with its 3 rows.
        await page.GetByRole(AriaRole.Button, new() { Name = "Close details" }).ClickAsync();
        var rows = page.GetByRole(AriaRole.Row).Filter(new() { HasText = file });
        await Expect(rows.Filter(new() { HasText = "Replaced" })).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        await Expect(rows.Filter(new() { HasText = "Imported" })).ToContainTextAsync("3");
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "uploads-reimport.png") });
    }
}
