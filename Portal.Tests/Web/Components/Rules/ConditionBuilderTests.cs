using Bunit;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using MudBlazor.Services;
using Portal.Components.Pages.Rules;
using Portal.Core.Rules;
using Portal.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Tests.Web.Components.Rules;

/// <summary>The builder on its own: each click becomes one new tree, handed to OnChange.</summary>
public sealed class ConditionBuilderTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();
    private ConditionNode? _changed;

    public Task InitializeAsync()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton<TimeProvider>(new FixedClock(new DateTimeOffset(2031, 5, 4, 22, 30, 0, TimeSpan.Zero)));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    private static GroupCondition Tree() => new("root", false, GroupLogic.And,
    [
        new AttributeCondition("c1", false, RuleFields.CityTier, ConditionOperator.Eq, ["1"]),
        new GroupCondition("g1", false, GroupLogic.Or, [new AttributeCondition("c2", false, RuleFields.Email, ConditionOperator.Contains, ["gmail"])]),
    ]);

    private (IRenderedComponent<ConditionBuilder> Builder, IRenderedComponent<MudPopoverProvider> Popovers) Render(GroupCondition root, IReadOnlyList<RuleIssue>? issues = null)
    {
        var popovers = _ctx.Render<MudPopoverProvider>();
        var builder = _ctx.Render<ConditionBuilder>(p => p
            .Add(x => x.Root, root)
            .Add(x => x.Issues, issues ?? [])
            .Add(x => x.Segments, [new SegmentChoice(5, 9, "Big spenders", 120)])
            .Add(x => x.OnChange, node => _changed = node));
        return (builder, popovers);
    }

    [Fact]
    public async Task AddMenu_SpendChosen_AppendsAnAggregateToThatGroup()
    {
        var (builder, popovers) = Render(Tree());
        await builder.InvokeAsync(() => builder.Find("button[aria-label='Add to Group g1']").ClickAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-menu-item:contains('Spend / transactions')").ClickAsync(new MouseEventArgs());

        var g1 = Assert.IsType<GroupCondition>(ConditionTree.Find(_changed!, "g1"));
        Assert.Equal(2, g1.Children.Count);
        var added = Assert.IsType<AggregateCondition>(g1.Children[1]);
        Assert.Equal("c3", added.Id);
        Assert.Equal(AggregateFunction.Sum, added.Function);
    }

    [Fact]
    public async Task FieldSelect_ADateFieldChosen_FillsInTodayByTheClock()
    {
        var (builder, popovers) = Render(Tree());
        await builder.InvokeAsync(() => builder.Find("[aria-label='Condition c1 field'] .mud-select-input, .portal-leaf-field .mud-input-control-input-container").MouseDownAsync(new MouseEventArgs()));
        await popovers.WaitForElement(".mud-list-item:contains('Customer since')").ClickAsync(new MouseEventArgs());

        var c1 = Assert.IsType<AttributeCondition>(ConditionTree.Find(_changed!, "c1"));
        Assert.Equal((RuleFields.CreatedAt, ConditionOperator.Eq), (c1.Field, c1.Operator));
        Assert.Equal(["2031-05-04"], c1.Values);
    }

    [Fact]
    public async Task NodeButtons_NegateMoveNestRemove_EditTheTree()
    {
        var (builder, _) = Render(Tree());

        await builder.InvokeAsync(() => builder.Find("button[aria-label='Negate Condition c1']").ClickAsync(new MouseEventArgs()));
        Assert.True(ConditionTree.Find(_changed!, "c1")!.Not);

        await builder.InvokeAsync(() => builder.Find("button[aria-label='Move Condition c1 down']").ClickAsync(new MouseEventArgs()));
        Assert.Equal(["g1", "c1"], ((GroupCondition)_changed!).Children.Select(c => c.Id));

        await builder.InvokeAsync(() => builder.Find("button[aria-label='Nest Condition c1 in a group']").ClickAsync(new MouseEventArgs()));
        Assert.IsType<GroupCondition>(((GroupCondition)_changed!).Children[0]);
        Assert.Equal("c1", ((GroupCondition)((GroupCondition)_changed!).Children[0]).Children[0].Id);

        await builder.InvokeAsync(() => builder.Find("button[aria-label='Remove Group g1']").ClickAsync(new MouseEventArgs()));
        Assert.Null(ConditionTree.Find(_changed!, "g1"));
        Assert.NotNull(ConditionTree.Find(_changed!, "c1"));
    }

    [Fact]
    public async Task LogicToggle_OrChosen_TurnsTheRootIntoAnOrGroup()
    {
        var (builder, _) = Render(Tree());
        await builder.InvokeAsync(() => builder.FindAll("[aria-label='Rule conditions logic'] .mud-toggle-item").First(b => b.TextContent.Contains("OR", StringComparison.Ordinal)).ClickAsync(new MouseEventArgs()));
        Assert.Equal(GroupLogic.Or, ((GroupCondition)_changed!).Logic);
    }

    [Theory]
    [InlineData(RuleFields.CityTier, "between", "contains")]
    [InlineData(RuleFields.Email, "starts with", "between")]
    [InlineData(RuleFields.CreatedAt, "≤", "is empty")]
    public async Task Operators_FollowTheFieldType(string field, string offered, string notOffered)
    {
        var (builder, popovers) = Render(new GroupCondition("root", false, GroupLogic.And,
            [new AttributeCondition("c1", false, field, ConditionOperator.Eq, ["1"])]));
        await builder.Find("div.portal-leaf-op").MouseDownAsync(new MouseEventArgs());
        var operators = popovers.FindAll(".mud-list-item").Select(i => i.TextContent.Trim()).ToList();
        Assert.Contains(offered, operators);
        Assert.DoesNotContain(notOffered, operators);
    }

    [Fact]
    public void Issues_AreShownOnTheirCondition()
    {
        var (builder, _) = Render(Tree(), [new RuleIssue("c2", "values[0]", "'x' is not a number.")]);
        var c2 = builder.Find("[aria-label='Condition c2']");
        Assert.Contains("'x' is not a number.", c2.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("is not a number", builder.Find("[aria-label='Condition c1']").TextContent, StringComparison.Ordinal);
    }
}
