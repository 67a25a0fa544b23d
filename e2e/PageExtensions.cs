using Microsoft.Playwright;

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

    /// <summary>MainLayout sets body[data-portal-ready] once the Blazor circuit has rendered.</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.Locator("body[data-portal-ready='1']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    public static async Task SignOutAsync(this IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "(user menu)" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/account/login");
    }
}
