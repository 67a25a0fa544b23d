using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Audiences;

[Collection(PortalCollection.Name)]
public sealed class EditorTests(PortalFixture portal)
{
    private static ILocator Word(IPage page, string word) =>
        page.Locator(".monaco-editor .view-line span").Filter(new() { HasTextRegex = new Regex("^" + Regex.Escape(word) + "$") }).First;

    [Fact]
    public async Task Editor_NewAudience_MarkerThenFixSaveAndExportTurnsPosted()
    {
        var page = await portal.NewPageAsync();
        await page.SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword, "/audiences");
        await page.GetByRole(AriaRole.Link, new() { Name = "New audience" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New audience" })).ToBeVisibleAsync();
        await Expect(Word(page, "TYPE_X")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // Name the audience (its top-level key), then break the AdtechA audience type.
        await Word(page, "new_audience").DblClickAsync();
        await page.Keyboard.TypeAsync("e2e_edited");
        await Word(page, "TYPE_X").DblClickAsync();
        await page.Keyboard.TypeAsync("TYPE_Z");

        var problems = page.GetByRole(AriaRole.List, new() { Name = "Problems" });
        await Expect(problems.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
        await Expect(problems).ToContainTextAsync("e2e_edited.adtechA.audience_type");
        await Expect(page.Locator(".monaco-editor .squiggly-error")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "editor-marker.png") });

        // Ctrl+S with the problem is refused; fixing it clears the marker and Ctrl+S saves.
        await page.Keyboard.PressAsync("Control+s");
        await Expect(page.GetByText(new Regex("^Not saved: 1 problem"))).ToBeVisibleAsync();
        await Word(page, "TYPE_Z").DblClickAsync();
        await page.Keyboard.TypeAsync("TYPE_X");
        await Expect(problems.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(0);
        await Expect(page.Locator(".monaco-editor .squiggly-error")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Control+s");
        await Expect(page.GetByText("Saved e2e_edited.")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/audiences/e2e_edited$"));

        // One button exports it; the status turns POSTED without a reload.
        await Expect(page.GetByLabel("e2e_edited adtechA NOT_FETCHED")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Export" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Export to AdtechA" }).ClickAsync();
        await Expect(page.GetByLabel("e2e_edited adtechA POSTED")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(Word(page, "last_response")).ToBeVisibleAsync();

        // An edit of the saved audience: unsaved until Ctrl+S, then saved and kept in history.
        await Word(page, "new_audience").DblClickAsync();
        await page.Keyboard.TypeAsync("e2e_name_at_adtech");
        var unsaved = page.GetByLabel("Unsaved changes");
        await Expect(unsaved).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Control+s");
        await Expect(unsaved).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Version history" }).GetByText(new Regex("replaced by admin@e2e.test"))).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(portal.ArtifactsFolder, "editor-posted.png") });

        // The run is recorded: what was sent and how it ended.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Runs" }).ClickAsync();
        var runs = page.GetByLabel("Export runs of e2e_edited");
        await Expect(runs.GetByRole(AriaRole.Row).Filter(new() { HasText = "AdtechA" })).ToContainTextAsync("Succeeded");
        await Expect(runs).ToContainTextAsync("1,000");
    }
}
