using System.Diagnostics;
using Microsoft.Playwright;
using Portal.E2E;

namespace Portal.Bench;

/// <summary>
/// The built portal as the browser benchmarks run it: in a child process on its own SQLite file and bucket, with a
/// known admin; signed in from Chromium; its queued jobs waited for.
/// </summary>
internal static class BenchPortal
{
    private const string AdminEmail = "bench@portal.local";
    private const string AdminPassword = "Bench-Admin-Pass-1!";

    /// <summary>The portal with its own database and bucket, demo data on or off; its start-up time printed.</summary>
    public static async Task<PortalProcess> StartAsync(string dll, string database, string bucket, bool demoData)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var watch = Stopwatch.StartNew();
        var portal = await PortalProcess.StartAsync(dll, new Dictionary<string, string>
        {
            ["ConnectionStrings__Sqlite"] = $"Data Source={database}",
            ["Bucket__Path"] = bucket,
            ["Portal__Admin__Email"] = AdminEmail,
            ["Portal__Admin__Password"] = AdminPassword,
            ["Database__SeedDemoData"] = demoData ? "true" : "false",
        }, TimeSpan.FromSeconds(300));
        Console.WriteLine($"portal ({(demoData ? "demo data on" : "demo data off")}) healthy at {portal.BaseUrl} after {watch.Elapsed.TotalSeconds:0.0} s");
        return portal;
    }

    /// <summary>Signs in as the admin on the page, landing on <paramref name="returnUrl"/>, and waits for its circuit.</summary>
    public static async Task SignInAsync(IPage page, string returnUrl = "/")
    {
        await page.GotoAsync("/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        await page.GetByLabel("Email").FillAsync(AdminEmail);
        await page.GetByLabel("Password").FillAsync(AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator("body[data-portal-ready='1']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    /// <summary>The demo data load queues a dashboard job: let it finish so it does not share the cores with the runs.</summary>
    public static async Task WaitForIdleJobsAsync(IPage page, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            var response = await page.APIRequest.GetAsync("/api/jobs?status=Queued,Running");
            if (response.Ok && (await response.JsonAsync())?.GetProperty("total").GetInt32() == 0)
            {
                return;
            }

            await Task.Delay(500);
        }

        Console.WriteLine($"  odd: jobs still queued or running after {within.TotalSeconds:0} s");
    }
}
