using Bunit;
using Microsoft.AspNetCore.Components;
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
        await page.InvokeAsync(() => page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('Customer attribute')").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => page.Find("[aria-label='Condition c1']"));
        await ClickButtonAsync(page, "Save");

        await using var db = await host.DbAsync();
        var rule = await db.Rules.SingleAsync();
        Assert.Equal("Tier one", rule.Name);
        var condition = Assert.IsType<AttributeCondition>(((GroupCondition)ConditionJson.Read(rule.Conditions)).Children.Single());
        Assert.Equal((RuleFields.CityTier, ConditionOperator.Eq), (condition.Field, condition.Operator));
    }

    [Fact]
    public async Task DependsOn_ManyRules_SearchesThemAndAddsTheOnePickedInOrder()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var ids = new Dictionary<string, long>();
        foreach (var name in Enumerable.Range(1, 40).Select(i => $"Base {i:00}"))
        {
            ids[name] = (await RuleHost.SaveAsync(host, Portal.Tests.Core.Rules.RuleSamples.Draft(name))).Rule.Id;
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<RuleEditorPage>();
        await page.WaitForAssertionAsync(() => page.Find("input[aria-label='Add a rule to combine']"));
        // No component per rule while the search is closed.
        Assert.Empty(page.FindComponents<MudSelectItem<long>>());

        async Task PickAsync(string search, string name)
        {
            await page.Find("input[aria-label='Add a rule to combine']").InputAsync(new ChangeEventArgs { Value = search });
            var item = await popovers.WaitForElementAsync($".mud-list-item:contains('{name}')");
            Assert.True(popovers.FindAll(".mud-list-item").Count <= 25);
            await page.InvokeAsync(() => item.ClickAsync(new MouseEventArgs()));
        }

        await PickAsync("base 3", "Base 37");
        await PickAsync("Base 0", "Base 02");
        await page.WaitForAssertionAsync(() => Assert.Equal(["1. Base 37", "2. Base 02"],
            page.FindAll("[aria-label='Depends on'] .mud-chip").Select(c => c.TextContent.Trim())));
        await page.Find("input[aria-label='Rule name']").ChangeAsync(new() { Value = "Combined" });
        await ClickButtonAsync(page, "Save");

        await host.WaitUntilAsync(async () => { await using var d = await host.DbAsync(); return await d.Rules.AnyAsync(r => r.Name == "Combined"); }, "the rule to be saved");
        await using var db = await host.DbAsync();
        var rule = await db.Rules.SingleAsync(r => r.Name == "Combined");
        Assert.Equal([ids["Base 37"], ids["Base 02"]], rule.DependsOn);
        Assert.Equal(SetOperation.Intersection, rule.Operation);
    }

    [Fact]
    public async Task MembershipCondition_ManySegments_SearchesThemAndSavesTheOnePicked()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var segments = new Dictionary<string, long>();
        foreach (var name in Enumerable.Range(1, 40).Select(i => $"Base {i:00}"))
        {
            segments[name] = (await RuleHost.SaveAsync(host, Portal.Tests.Core.Rules.RuleSamples.Draft(name))).Segment;
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<RuleEditorPage>();
        await page.WaitForAssertionAsync(() => page.Find("button[aria-label='Add to Rule conditions']"));
        await page.Find("input[aria-label='Rule name']").ChangeAsync(new() { Value = "Members of base 37" });
        await page.InvokeAsync(() => page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('Membership in a segment')").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => page.Find("input[aria-label='Condition c1 segment']"));
        Assert.Empty(page.FindComponents<MudSelectItem<long>>());

        await page.Find("input[aria-label='Condition c1 segment']").InputAsync(new ChangeEventArgs { Value = "base 3" });
        var item = await popovers.WaitForElementAsync(".mud-list-item:contains('Base 37')");
        await page.InvokeAsync(() => item.ClickAsync(new MouseEventArgs()));
        await page.WaitForAssertionAsync(() => Assert.StartsWith("Base 37", page.Find("input[aria-label='Condition c1 segment']").GetAttribute("value"), StringComparison.Ordinal));
        await ClickButtonAsync(page, "Save");

        await host.WaitUntilAsync(async () => { await using var d = await host.DbAsync(); return await d.Rules.AnyAsync(r => r.Name == "Members of base 37"); }, "the rule to be saved");
        await using var db = await host.DbAsync();
        var rule = await db.Rules.SingleAsync(r => r.Name == "Members of base 37");
        var condition = Assert.IsType<SegmentCondition>(((GroupCondition)ConditionJson.Read(rule.Conditions)).Children.Single());
        Assert.Equal(segments["Base 37"], condition.SegmentId);
    }

    [Fact]
    public async Task Undo_AfterAnEdit_RestoresThePreviousTree()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<RuleEditorPage>();
        await page.WaitForAssertionAsync(() => page.Find("button[aria-label='Add to Rule conditions']"));

        await page.InvokeAsync(() => page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('AND group')").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => page.Find("[aria-label='Group g1']"));
        await page.InvokeAsync(() => page.Find("button[aria-label='Negate Group g1']").ClickAsync(new MouseEventArgs()));
        await page.WaitForAssertionAsync(() => Assert.Equal("true", page.Find("button[aria-label='Negate Group g1']").GetAttribute("aria-pressed")));

        await page.InvokeAsync(() => page.FindAll("button").First(b => b.TextContent.Trim() == "Undo").ClickAsync(new MouseEventArgs()));
        await page.WaitForAssertionAsync(() => Assert.Equal("false", page.Find("button[aria-label='Negate Group g1']").GetAttribute("aria-pressed")));
        await page.InvokeAsync(() => page.FindAll("button").First(b => b.TextContent.Trim() == "Undo").ClickAsync(new MouseEventArgs()));
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
        await page.InvokeAsync(() => page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('OR group')").ClickAsync(new MouseEventArgs());
        await ClickButtonAsync(page, "Save");

        await page.WaitForAssertionAsync(() => Assert.Contains("This group is empty", page.Find("[aria-label='Group g1']").TextContent, StringComparison.Ordinal));
        await using var db = await host.DbAsync();
        Assert.Equal(0, await db.Rules.CountAsync());
    }

    /// <summary>
    /// A saved rule "city tier is 1", and a new rule built in the editor as "city tier is 1" AND "spent over 1000 in
    /// 30 days", then saved: the save offers the plan instead of saving at once.
    /// </summary>
    /// <summary>
    /// Finds the button and clicks it in one step on the renderer's dispatcher: the draft's estimate finishes on its own
    /// and re-renders the page, which between a find and a click would leave the click on a handler that is gone.
    /// </summary>
    private static Task ClickButtonAsync(IRenderedComponent<RuleEditorPage> page, string label) =>
        page.InvokeAsync(() => page.FindAll("button").First(b => b.TextContent.Trim() == label).ClickAsync(new MouseEventArgs()));

    private static async Task<(IRenderedComponent<RuleEditorPage> Page, long BaseId)> NewRuleContainingASavedOneAsync(CoreHost host, BunitContext ctx)
    {
        var saved = await host.Get<RuleService>().SaveAsync(null, RuleDraft.Empty("Tier one base") with
        {
            Root = new GroupCondition("root", false, GroupLogic.And, [new AttributeCondition("c1", false, RuleFields.CityTier, ConditionOperator.Eq, ["1"])]),
        }, null, CoreHost.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<RuleEditorPage>();
        await page.WaitForAssertionAsync(() => page.Find("input[aria-label='Rule name']"));
        await page.Find("input[aria-label='Rule name']").ChangeAsync(new() { Value = "Tier one spenders" });
        await page.InvokeAsync(() => page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('Customer attribute')").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => page.Find("[aria-label='Condition c1']"));
        await page.InvokeAsync(() => page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('Spend / transactions')").ClickAsync(new MouseEventArgs());
        await page.WaitForAssertionAsync(() => page.Find("[aria-label='Condition c2']"));
        await ClickButtonAsync(page, "Save");
        await page.WaitForAssertionAsync(() => Assert.Contains("INTERSECTION of segment 'Tier one base'",
            page.Find("[role='dialog'][aria-label='Reuse an existing segment?']").TextContent, StringComparison.Ordinal));
        return (page, saved.Rule!.Id);
    }

    [Fact]
    public async Task PreviewPanel_ManySavedSegmentsFit_ShowsTheBestFiveAndCountsTheRest()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        for (var i = 1; i <= 8; i++)
        {
            await host.Get<RuleService>().SaveAsync(null, RuleDraft.Empty($"Tier one base {i}") with
            {
                Root = new GroupCondition("root", false, GroupLogic.And, [new AttributeCondition("c1", false, RuleFields.CityTier, ConditionOperator.Eq, ["1"])]),
            }, null, CoreHost.Marketer);
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var popovers = ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<RuleEditorPage>();
        await page.WaitForAssertionAsync(() => page.Find("button[aria-label='Add to Rule conditions']"));
        await page.InvokeAsync(() => page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('Customer attribute')").ClickAsync(new MouseEventArgs());
        await page.InvokeAsync(() => page.Find("button[aria-label='Add to Rule conditions']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('Spend / transactions')").ClickAsync(new MouseEventArgs());

        await page.WaitForAssertionAsync(() =>
        {
            Assert.Equal(RulePreviewPanel.MaxSuggestions, page.FindAll("[aria-label^='Suggestion: reuse']").Count);
            Assert.Contains("3 more saved segments fit too", page.Find("[aria-label='More suggestions']").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Save_NewRuleContainingASavedSegment_OffersThePlanAndApplyAndSaveStoresIt()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var (page, baseId) = await NewRuleContainingASavedOneAsync(host, ctx);
        await using (var before = await host.DbAsync())
        {
            Assert.Equal(1, await before.Rules.CountAsync()); // offered, not yet saved
        }

        await ClickButtonAsync(page, "Apply and save");

        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll("[role='dialog'][aria-label='Reuse an existing segment?']")));
        await host.WaitUntilAsync(async () => { await using var d = await host.DbAsync(); return await d.Rules.CountAsync() == 2; }, "the rule to be saved");
        await using var db = await host.DbAsync();
        var rule = await db.Rules.SingleAsync(r => r.Name == "Tier one spenders");
        Assert.Equal([baseId], rule.DependsOn);
        Assert.Equal(SetOperation.Intersection, rule.Operation);
        Assert.Equal("c2", Assert.IsType<AggregateCondition>(((GroupCondition)ConditionJson.Read(rule.Conditions)).Children.Single()).Id);
    }

    [Fact]
    public async Task Save_NewRuleContainingASavedSegment_SaveAsItIsKeepsItsConditions()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var (page, _) = await NewRuleContainingASavedOneAsync(host, ctx);

        await ClickButtonAsync(page, "Save as it is");

        await host.WaitUntilAsync(async () => { await using var d = await host.DbAsync(); return await d.Rules.CountAsync() == 2; }, "the rule to be saved");
        await using var db = await host.DbAsync();
        var rule = await db.Rules.SingleAsync(r => r.Name == "Tier one spenders");
        Assert.Equal((0, (SetOperation?)null), (rule.DependsOn.Count, rule.Operation));
        Assert.Equal(2, ((GroupCondition)ConditionJson.Read(rule.Conditions)).Children.Count);
    }
}
