using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Audiences;

[Collection(PortalCollection.Name)]
public sealed class ConnectorsTests(PortalFixture portal)
{
    [Fact]
    public async Task Connection_SavedByAdmin_ShowsTokenSetButNeverTheToken()
    {
        const string token = "e2e-secret-token-9876";
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/connectors");
        await page.GetByLabel("Adtech", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "meta" }).ClickAsync();

        await page.GetByLabel("API base URL").FillAsync("ftp://wrong.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save connection" }).ClickAsync();
        await Expect(page.GetByText("'ftp://wrong.example' is not an http(s) URL.").First).ToBeVisibleAsync();

        await page.GetByLabel("API base URL").FillAsync("https://graph.example/v19.0");
        await page.GetByLabel("Account / advertiser id").FillAsync("act_123");
        await page.GetByLabel("Access token (empty keeps the stored one)").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save connection" }).ClickAsync();
        await Expect(page.GetByText("Connection for meta saved")).ToBeVisibleAsync();

        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "act_123" });
        await Expect(row).ToContainTextAsync("https://graph.example/v19.0/");
        await Expect(row).ToContainTextAsync("set");
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, portal.AppOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionCheck_SandboxAdtechA_ShowsOkWithLatency()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/connectors");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check adtechA connection" }).ClickAsync();
        await Expect(page.GetByLabel("adtechA connection OK")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"OK · \d+ ms"));
        await Expect(page.GetByText(new System.Text.RegularExpressions.Regex(@"^AdtechA: connected \(\d+ ms\)$"))).ToBeVisibleAsync();
    }
}
