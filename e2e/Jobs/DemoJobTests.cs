using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Jobs;

[Collection(PortalCollection.Name)]
public sealed class DemoJobTests(PortalFixture portal)
{
    [Fact]
    public async Task DemoJob_RunFromJobsPage_ReachesHundredPercentAndStatusBarSettles()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/jobs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run demo job" }).ClickAsync();

        var toast = page.GetByText(new Regex("^Queued job (\\d+): Recompute dashboard totals$"));
        await Expect(toast).ToBeVisibleAsync();
        var id = Regex.Match(await toast.InnerTextAsync(), "\\d+").Value;

        // The grid updates live (no reload): the job's progress bar reaches 100 and its status is Succeeded.
        var progress = page.GetByRole(AriaRole.Progressbar, new() { Name = $"Progress of job {id}" });
        await Expect(progress).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 60_000 });
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = progress });
        await Expect(row).ToContainTextAsync("Succeeded");
        await Expect(page.GetByTestId("status-running")).ToHaveTextAsync("0 running");
        await Expect(page.GetByTestId("status-queued")).ToHaveTextAsync("0 queued");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Details of job {id}" }).ClickAsync();
        var details = page.GetByRole(AriaRole.Region, new() { Name = $"Job {id} details" });
        await Expect(details).ToContainTextAsync("Requested by");
        await Expect(details).ToContainTextAsync(PortalFixture.AdminEmail);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "jobs.png") });
    }

    [Fact]
    public async Task Schedule_MalformedCron_ShowsMessageAndIsNotSaved()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/jobs");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Schedules" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("Broken schedule");
        var cron = page.GetByLabel("Cron expression (UTC)");
        await cron.FillAsync("61 * * * *");
        await cron.PressAsync("Tab");
        await Expect(page.GetByText(new Regex("Cron expression '61 \\* \\* \\* \\*' is not valid"))).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add schedule" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Broken schedule" })).ToHaveCountAsync(0);

        await cron.FillAsync("*/15 * * * *");
        await cron.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Next five runs" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(5);
    }
}
