using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Accounts;

[Collection(PortalCollection.Name)]
public sealed class SignInTests(PortalFixture portal)
{
    [Fact]
    public async Task ProtectedUrl_SignedOut_RedirectsToSignInThenBack()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/jobs");
        await Expect(page).ToHaveURLAsync(new Regex("/account/login\\?ReturnUrl=%2Fjobs", RegexOptions.IgnoreCase));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await page.GetByLabel("Email").FillAsync(PortalFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync(PortalFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/jobs$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Jobs", Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignIn_WrongPassword_ShowsErrorAndStaysSignedOut()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(PortalFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong email or password, or the account is locked.");
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
    }

    [Fact]
    public async Task Api_SignedOut_Answers401()
    {
        var page = await portal.NewPageAsync();
        var response = await page.APIRequest.GetAsync("/api/jobs");
        Assert.Equal(401, response.Status);
    }

    [Fact]
    public async Task Viewer_CreatedByAdmin_SeesNoAdminPageAndCannotQueueJobs()
    {
        var email = $"viewer-{Guid.NewGuid():N}"[..15] + "@e2e.test";
        var admin = await portal.NewPageAsync();
        await admin.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/admin");
        await admin.GetByLabel("Email").FillAsync(email);
        await admin.GetByLabel("Password (leave empty to generate)").FillAsync("Viewer-Pass-123!");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(admin.GetByText($"Created {email} as Viewer")).ToBeVisibleAsync();
        await Expect(admin.GetByRole(AriaRole.Cell, new() { Name = email, Exact = true })).ToBeVisibleAsync();

        var viewer = await portal.NewPageAsync();
        await viewer.SignInAsync(email, "Viewer-Pass-123!");
        await Expect(viewer.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        var nav = viewer.GetByRole(AriaRole.Navigation, new() { Name = "Sections" });
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Jobs" })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToHaveCountAsync(0);
        await Expect(viewer.GetByRole(AriaRole.Button, new() { Name = "Recompute totals" })).ToHaveCountAsync(0);

        await viewer.GotoAsync("/admin");
        await Expect(viewer.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();

        // The server refuses too, whatever the page shows.
        var response = await viewer.APIRequest.PostAsync("/api/jobs", new() { Headers = PortalFixture.ApiHeaders, DataObject = new { kind = "dashboard.recompute" } });
        Assert.Equal(403, response.Status);
    }
}
