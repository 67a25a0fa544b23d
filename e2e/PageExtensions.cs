using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E;

internal static class PageExtensions
{
    /// <summary>Signs in through the form and waits until the interactive circuit is live.</summary>
    public static async Task SignInAsync(this IPage page, string email, string password, string path = "/")
    {
        await page.GotoAsync(path);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForInteractiveAsync();
    }

    /// <summary>
    /// Signs in as the admin on a new rule, saves it as <paramref name="name"/> with one customer-attribute condition
    /// (tier 1), and answers the saved rule's address.
    /// </summary>
    public static async Task<string> NewTierRuleAsync(this IPage page, string name)
    {
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/rules/new");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New rule" })).ToBeVisibleAsync();
        await page.GetByLabel("Rule name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to Rule conditions" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Customer attribute" }).ClickAsync();
        await Expect(page.GetByLabel("Condition c1 value")).ToHaveValueAsync("1");
        await page.Keyboard.PressAsync("Control+s");
        await Expect(page.GetByText($"Saved {name}.")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/rules/\d+$"));
        return page.Url;
    }

    /// <summary>MainLayout sets body[data-portal-ready] once the Blazor circuit has rendered.</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.Locator("body[data-portal-ready='1']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    public static async Task SignOutAsync(this IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "(user menu)" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        try
        {
            // The sign-out writes an audit row; on a loaded machine, right after start-up, the demo's jobs may hold the
            // SQLite writer for a while, so this waits as long as the other waits on background work.
            await page.WaitForURLAsync("**/account/login", new() { Timeout = 60_000 });
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Signing out did not reach the sign-in page: the page is at {page.Url}, reading: {await page.Locator("body").InnerTextAsync()}", ex);
        }
    }
}
