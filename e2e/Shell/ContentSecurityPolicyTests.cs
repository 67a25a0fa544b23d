using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Shell;

/// <summary>
/// The main pages under the portal's Content-Security-Policy: each works (Blazor's circuit, MudBlazor, Monaco, the
/// lineage graph) and the browser reports no violation, whether in the console or as a securitypolicyviolation event.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ContentSecurityPolicyTests(PortalFixture portal)
{
    private const string Canvas = "[data-testid='lineage-canvas']";

    [Fact]
    public async Task MainPages_UnderThePolicy_WorkWithoutViolations()
    {
        var page = await portal.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add($"{page.Url}: {m.Text}");
                }
            }
        };
        // Injected by the browser's debugging protocol, so the policy does not apply to this listener itself.
        await page.Context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
                console.error('Content Security Policy violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));
            """);

        var response = await page.GotoAsync("/account/login");
        Assert.Contains("script-src 'self' 'nonce-", (await response!.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Expect(page.GetByLabel("Customers", new() { Exact = true })).ToHaveTextAsync(PortalFixture.DemoCustomers);

        await page.GotoAsync("/lineage");
        await page.Locator($"{Canvas}[data-ready='true']").WaitForAsync(new() { Timeout = 60_000 });

        await page.GotoAsync("/rules/new");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();

        await page.GotoAsync("/uploads");
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Uploads", Level = 1 })).ToBeVisibleAsync();

        // The editor with Monaco (its scripts, styles, fonts and web worker), typed into so the live check round-trips.
        await page.GotoAsync("/audiences/demo_audience");
        await page.WaitForInteractiveAsync();
        var editor = page.Locator(".portal-code-editor[data-editor-mode='monaco'] .monaco-editor .view-line").First;
        await editor.WaitForAsync(new() { Timeout = 30_000 });
        await page.Locator(".monaco-editor .view-line span").Filter(new() { HasTextRegex = new Regex("^TYPE_X$") }).First.DblClickAsync();
        await page.Keyboard.TypeAsync("TYPE_Q");
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Problems" }).GetByRole(AriaRole.Listitem).First).ToBeVisibleAsync();
        // The lineage graph on the same page as Monaco: its libraries load beside Monaco's AMD loader.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Lineage" }).ClickAsync();
        await page.Locator($"{Canvas}[data-ready='true']").WaitForAsync(new() { Timeout = 60_000 });

        lock (violations)
        {
            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
    }
}
