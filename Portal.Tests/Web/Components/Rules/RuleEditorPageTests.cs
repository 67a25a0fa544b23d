using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Components.Pages.Rules;
using Portal.Core.Accounts;
using Portal.Core.Rules;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Rules;

public sealed class RuleEditorPageTests : DatabaseTest
{
    [Fact]
    public async Task NewRule_BuiltAndSaved_IsStoredWithItsConditions()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<RuleEditorPage>();
        await page.WaitForAssertionAsync(() => page.Find("input[aria-label='Rule name']"));

        await page.Find("input[aria-label='Rule name']").ChangeAsync(new() { Value = "Tier one" });
        await page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs());
        await popovers.WaitForElement(".mud-menu-item:contains('Customer attribute')").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => page.Find("[aria-label='Condition c1']"));
        await page.FindAll("button").First(b => b.TextContent.Trim() == "Save").ClickAsync(new MouseEventArgs());

        await using var db = await host.DbAsync();
        var rule = await db.Rules.SingleAsync();
        Assert.Equal("Tier one", rule.Name);
        var condition = Assert.IsType<AttributeCondition>(((GroupCondition)ConditionJson.Read(rule.Conditions)).Children.Single());
        Assert.Equal((RuleFields.CityTier, ConditionOperator.Eq), (condition.Field, condition.Operator));
    }

    [Fact]
    public async Task Undo_AfterAnEdit_RestoresThePreviousTree()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<RuleEditorPage>();
        await page.WaitForAssertionAsync(() => page.Find("button[aria-label='Add to Rule conditions']"));

        await page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs());
        await popovers.WaitForElement(".mud-menu-item:contains('AND group')").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => page.Find("[aria-label='Group g1']"));
        await page.Find("button[aria-label='Negate Group g1']").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => Assert.Equal("true", page.Find("button[aria-label='Negate Group g1']").GetAttribute("aria-pressed")));

        await page.FindAll("button").First(b => b.TextContent.Trim() == "Undo").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => Assert.Equal("false", page.Find("button[aria-label='Negate Group g1']").GetAttribute("aria-pressed")));
        await page.FindAll("button").First(b => b.TextContent.Trim() == "Undo").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll("[aria-label='Group g1']")));
    }

    [Fact]
    public async Task Save_InvalidRule_WritesNothingAndShowsTheIssueOnTheCondition()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<RuleEditorPage>();
        await page.WaitForAssertionAsync(() => page.Find("button[aria-label='Add to Rule conditions']"));
        await page.Find("input[aria-label='Rule name']").ChangeAsync(new() { Value = "Empty group" });
        await page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs());
        await popovers.WaitForElement(".mud-menu-item:contains('OR group')").ClickAsync(new MouseEventArgs());
        await page.FindAll("button").First(b => b.TextContent.Trim() == "Save").ClickAsync(new MouseEventArgs());

        await page.WaitForAssertionAsync(() => Assert.Contains("This group is empty", page.Find("[aria-label='Group g1']").TextContent, StringComparison.Ordinal));
        await using var db = await host.DbAsync();
        Assert.Equal(0, await db.Rules.CountAsync());
    }
}
