using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Accounts;

/// <summary>What a person's open tab and password do when their account changes.</summary>
[Collection(PortalCollection.Name)]
public sealed class AccountSessionTests(PortalFixture portal)
{
    /// <summary>Creates a Viewer through the Admin page; returns the admin's page.</summary>
    private async Task<IPage> CreateUserAsync(string email, string password)
    {
        var admin = await portal.NewPageAsync();
        await admin.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/admin");
        await admin.GetByLabel("Email").FillAsync(email);
        await admin.GetByLabel("Password (leave empty to generate)").FillAsync(password);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Cell, new() { Name = email, Exact = true })).ToBeVisibleAsync();
        return admin;
    }

    [Fact]
    public async Task OpenTab_UserLockedByAdmin_NextNavigationLandsOnSignIn()
    {
        var email = $"locked-{Guid.NewGuid():N}"[..15] + "@e2e.test";
        const string password = "Locked-Pass-123!";
        var admin = await CreateUserAsync(email, password);
        var user = await portal.NewPageAsync();
        await user.SignInAsync(email, password);
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();

        await admin.GetByRole(AriaRole.Button, new() { Name = $"Lock {email}" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Button, new() { Name = $"Unlock {email}" })).ToBeVisibleAsync();
        await user.GetByRole(AriaRole.Navigation, new() { Name = "Sections" }).GetByRole(AriaRole.Link, new() { Name = "Jobs" }).ClickAsync();

        await Expect(user).ToHaveURLAsync(new Regex("/account/login"));
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Jobs", Exact = true })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ChangePassword_SignOutAndBackIn_TakesTheNewPassword()
    {
        // A user of its own, so the admin's password the other tests sign in with stays as it is.
        var email = $"change-{Guid.NewGuid():N}"[..15] + "@e2e.test";
        const string first = "First-Pass-123!";
        const string second = "Second-Pass-456?";
        await CreateUserAsync(email, first);
        var page = await portal.NewPageAsync();
        await page.SignInAsync(email, first);

        await page.GetByRole(AriaRole.Button, new() { Name = "(user menu)" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Change password" })).ToBeVisibleAsync();
        await page.GetByLabel("Current password").FillAsync(first);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync(second);
        await page.GetByLabel("Confirm new password").FillAsync(second);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your password was changed.");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the portal" }).ClickAsync();
        await page.WaitForInteractiveAsync();
        await page.SignOutAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(first);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong email or password");
        await page.SignInAsync(email, second);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
    }
}
