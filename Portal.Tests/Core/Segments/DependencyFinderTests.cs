using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Segments;

public sealed class DependencyFinderTests : DatabaseTest
{
    private static readonly DateTime From = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2025, 12, 31, 23, 59, 59, DateTimeKind.Utc);

    private static AttributeCondition Tier1(string id = "c1") => Attr(id, RuleFields.CityTier, ConditionOperator.Eq, "1");

    private static AttributeCondition Gmail(string id = "c2") => Attr(id, RuleFields.EmailDomain, ConditionOperator.In, "gmail.com", "yahoo.com");

    private static AggregateCondition Travel(string id = "c3", int? lastDays = 30) =>
        Spend(id, ConditionOperator.Gt, "5000", lastDays, TransactionSource.Both, "Travel", "Flights");

    private static AttributeCondition Pune(string id = "c4") => Attr(id, RuleFields.City, ConditionOperator.Eq, "Pune");

    private static ReuseCandidate Existing(long id, ConditionNode root, DateTime? from = null, DateTime? to = null, IReadOnlyList<long>? dependsOn = null,
        SegmentStatus status = SegmentStatus.Fresh) =>
        new(id, $"Rule {id}", root, from, to, dependsOn ?? [], 100 + id, $"Segment {id}", 42, status, null);

    private static RuleDraft New(ConditionNode root, DateTime? from = null, DateTime? to = null) =>
        new("New", null, root, null, from, to, [], null);

    [Fact]
    public void Find_AndContainingAllOfAnExistingAnd_SuggestsIntersectionWithTheRemainder()
    {
        var draft = New(And("root", Tier1(), Gmail(), Travel()));

        var suggestion = Assert.Single(DependencyFinder.Find(draft, [Existing(1, And("root", Tier1(), Gmail()))]));

        Assert.Equal((1L, 101L, SetOperation.Intersection, GroupLogic.And), (suggestion.Reused.RuleId, suggestion.Reused.SegmentId, suggestion.Operation, suggestion.RemainderLogic));
        Assert.Equal(["c1", "c2"], suggestion.Covered.Select(c => c.Id));
        Assert.Equal(["c3"], suggestion.Remainder.Select(c => c.Id));
        Assert.Equal("INTERSECTION of segment 'Segment 1' (2 conditions reused) with 1 remaining condition", suggestion.Plan);
    }

    [Fact]
    public void Find_OtherOrderIdsValueOrderAndNumberForm_StillContained()
    {
        var draft = New(And("g9", Travel("x3"), Pune("x4"), Gmail("x2"), Tier1("x1")));
        var existing = And("r",
            Attr("a", RuleFields.EmailDomain, ConditionOperator.In, "yahoo.com", "gmail.com"),
            Spend("b", ConditionOperator.Gt, "5000.00", 30, TransactionSource.Both, "Flights", "Travel"),
            Attr("c", RuleFields.CityTier, ConditionOperator.Eq, "1.0"));

        var suggestion = Assert.Single(DependencyFinder.Find(draft, [Existing(1, existing)]));

        Assert.Equal(["x3", "x2", "x1"], suggestion.Covered.Select(c => c.Id).Order().Reverse());
        Assert.Equal(["x4"], suggestion.Remainder.Select(c => c.Id));
    }

    [Fact]
    public void Find_DifferentValueOperatorOrNegation_IsNotContained()
    {
        var draft = New(And("root", Tier1(), Gmail(), Travel()));

        Assert.Empty(DependencyFinder.Find(draft, [
            Existing(1, And("root", Attr("c1", RuleFields.CityTier, ConditionOperator.Eq, "2"), Gmail())),
            Existing(2, And("root", Attr("c1", RuleFields.CityTier, ConditionOperator.Gte, "1"), Gmail())),
            Existing(3, And("root", Tier1() with { Not = true }, Gmail())),
            Existing(4, And("root", Tier1(), Spend("c3", ConditionOperator.Gt, "5000", 60, TransactionSource.Both, "Travel", "Flights"))),
            Existing(5, And("root", Tier1(), Spend("c3", ConditionOperator.Gt, "5000", 30, TransactionSource.Upi, "Travel", "Flights"))),
        ]));
    }

    [Fact]
    public void Find_NothingMatches_NoSuggestion()
    {
        var draft = New(And("root", Tier1(), Gmail()));

        Assert.Empty(DependencyFinder.Find(draft, [Existing(1, And("root", Pune())), Existing(2, And("root", Pune(), Tier1()))]));
        Assert.Empty(DependencyFinder.Find(draft, []));
    }

    [Fact]
    public void Find_OrContainingAllOfAnExistingOr_SuggestsUnion()
    {
        var draft = New(Or("root", Pune(), Tier1(), Gmail()));

        var suggestion = Assert.Single(DependencyFinder.Find(draft, [Existing(1, Or("root", Gmail("z"), Pune("y")))]));

        Assert.Equal((SetOperation.Union, GroupLogic.Or), (suggestion.Operation, suggestion.RemainderLogic));
        Assert.Equal(["c1"], suggestion.Remainder.Select(c => c.Id));
        Assert.StartsWith("UNION of segment 'Segment 1'", suggestion.Plan, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_LogicDiffers_IsNotContained()
    {
        Assert.Empty(DependencyFinder.Find(New(Or("root", Pune(), Tier1(), Gmail())), [Existing(1, And("root", Pune(), Tier1()))]));
        Assert.Empty(DependencyFinder.Find(New(And("root", Pune(), Tier1(), Gmail())), [Existing(1, Or("root", Pune(), Tier1()))]));
    }

    [Fact]
    public void Find_SingleConditionRule_IsReusedUnderAndAndUnderOr()
    {
        var single = Existing(1, And("root", Pune()));

        Assert.Equal(SetOperation.Intersection, Assert.Single(DependencyFinder.Find(New(And("root", Tier1(), Pune())), [single])).Operation);
        Assert.Equal(SetOperation.Union, Assert.Single(DependencyFinder.Find(New(Or("root", Tier1(), Pune())), [single])).Operation);
    }

    [Fact]
    public void Find_NestedGroupEqualToAWholeRule_CoversThatGroup()
    {
        var draft = New(And("root", Tier1(), Or("g1", Gmail(), Pune())));

        var suggestion = Assert.Single(DependencyFinder.Find(draft, [Existing(1, Or("other", Pune("p"), Gmail("q")))]));

        Assert.Equal(["g1"], suggestion.Covered.Select(c => c.Id));
        Assert.Equal(["c1"], suggestion.Remainder.Select(c => c.Id));
        Assert.Equal((SetOperation.Intersection, 2), (suggestion.Operation, suggestion.CoveredConditions));
    }

    [Fact]
    public void Find_RootsWrappedInALoneGroup_AreSeenThrough()
    {
        var draft = New(And("root", And("g1", Tier1(), Gmail(), Pune())));

        var suggestion = Assert.Single(DependencyFinder.Find(draft, [Existing(1, And("root", And("inner", Gmail(), Tier1())))]));

        Assert.Equal(["c4"], suggestion.Remainder.Select(c => c.Id));
    }

    [Fact]
    public void Find_RuleWindowAggregation_OnlyReusedWithTheSameWindow()
    {
        var ruleWindow = Travel(lastDays: null);
        var draft = New(And("root", Tier1(), ruleWindow, Pune()), From, To);

        Assert.Single(DependencyFinder.Find(draft, [Existing(1, And("root", Tier1(), ruleWindow), From, To)]));
        Assert.Empty(DependencyFinder.Find(draft, [Existing(1, And("root", Tier1(), ruleWindow), From, To.AddDays(-1))]));
        Assert.Empty(DependencyFinder.Find(draft, [Existing(1, And("root", Tier1(), ruleWindow))]));
    }

    [Fact]
    public void Find_LastDaysAggregationsAndAttributes_ReusedWhateverTheWindow()
    {
        var draft = New(And("root", Tier1(), Travel(lastDays: 30), Pune()), From, To);

        Assert.Single(DependencyFinder.Find(draft, [Existing(1, And("root", Tier1(), Travel(lastDays: 30)), From.AddYears(-1), null)]));
    }

    [Fact]
    public void Find_SeveralCandidates_PrefersTheOneCoveringMostConditions()
    {
        var draft = New(And("root", Tier1(), Gmail(), Travel(), Pune()));
        var one = Existing(1, And("root", Pune()));
        var three = Existing(2, And("root", Tier1(), Gmail(), Travel()));
        var two = Existing(3, And("root", Gmail(), Travel()));
        var nestedTwo = Existing(4, And("root", Or("g", Pune(), Tier1())));

        var suggestions = DependencyFinder.Find(draft, [one, two, three, nestedTwo]);

        Assert.Equal([2L, 3L, 1L], suggestions.Select(s => s.Reused.RuleId));
        Assert.Equal([3, 2, 1], suggestions.Select(s => s.CoveredConditions));
    }

    [Fact]
    public void Find_EqualCoverage_PrefersAFreshSegment()
    {
        var draft = New(And("root", Tier1(), Gmail(), Pune()));

        var suggestions = DependencyFinder.Find(draft, [
            Existing(1, And("root", Tier1(), Gmail()), status: SegmentStatus.Stale),
            Existing(2, And("root", Gmail(), Tier1())),
        ]);

        Assert.Equal([2L, 1L], suggestions.Select(s => s.Reused.RuleId));
    }

    [Fact]
    public void Find_RuleCoveringEverything_IsNotSuggested()
    {
        var draft = New(And("root", Tier1(), Gmail()));

        Assert.Empty(DependencyFinder.Find(draft, [Existing(1, And("other", Gmail(), Tier1()))]));
    }

    [Fact]
    public void Find_CombinedOrNegatedCandidatesAndCombinedDrafts_AreLeftAlone()
    {
        var draft = New(And("root", Tier1(), Gmail(), Pune()));

        Assert.Empty(DependencyFinder.Find(draft, [
            Existing(1, And("root", Tier1(), Gmail()), dependsOn: [7]),
            Existing(2, And("root", Tier1(), Gmail()) with { Not = true }),
        ]));
        Assert.Empty(DependencyFinder.Find(draft with { DependsOn = [7], Operation = SetOperation.Union }, [Existing(1, And("root", Tier1()))]));
        Assert.Empty(DependencyFinder.Find(New(And("root", Tier1(), Gmail()) with { Not = true }), [Existing(1, And("root", Tier1()))]));
    }

    [Fact]
    public void Apply_Suggestion_DependsOnTheReusedRuleWithTheRemainderAsItsOwnConditions()
    {
        var draft = New(And("root", Tier1(), Gmail(), Travel(), Pune()));
        var suggestion = DependencyFinder.Find(draft, [Existing(9, And("root", Gmail(), Tier1()))])[0];

        var applied = DependencyFinder.Apply(draft, suggestion);

        Assert.Equal([9L], applied.DependsOn);
        Assert.Equal(SetOperation.Intersection, applied.Operation);
        var root = Assert.IsType<GroupCondition>(applied.Root);
        Assert.Equal(("root", GroupLogic.And, false), (root.Id, root.Logic, root.Not));
        Assert.Equal([Travel(), Pune()], root.Children);
        Assert.Equal((draft.Name, draft.StartDate), (applied.Name, applied.StartDate));
        Assert.Empty(RuleValidator.Validate(applied));
    }

    [Fact]
    public void Apply_UnionSuggestion_KeepsTheRemainderAsAnOr()
    {
        var draft = New(And("root", Or("g1", Pune(), Tier1(), Gmail())));
        var suggestion = DependencyFinder.Find(draft, [Existing(3, Or("root", Gmail(), Pune()))])[0];

        var applied = DependencyFinder.Apply(draft, suggestion);

        Assert.Equal((SetOperation.Union, GroupLogic.Or), (applied.Operation, ((GroupCondition)applied.Root).Logic));
        Assert.Equal(["c1"], ((GroupCondition)applied.Root).Children.Select(c => c.Id));
    }

    [Fact]
    public void Apply_SuggestionForAnotherDraft_Throws()
    {
        var suggestion = DependencyFinder.Find(New(And("root", Tier1(), Gmail())), [Existing(1, And("root", Tier1()))])[0];

        Assert.Throws<ArgumentException>(() => DependencyFinder.Apply(New(And("root", Tier1("k1"), Gmail("k2"))), suggestion));
    }

    [Fact]
    public void SameConditions_IdsAndOrderIgnored_ValuesCompared()
    {
        Assert.True(DependencyFinder.SameConditions(And("a", Tier1("x"), Gmail("y")), And("b", Gmail("p"), Tier1("q"))));
        Assert.False(DependencyFinder.SameConditions(And("a", Tier1(), Gmail()), Or("a", Tier1(), Gmail())));
        Assert.False(DependencyFinder.SameConditions(
            Attr("a", RuleFields.CreatedAt, ConditionOperator.Between, "2024-01-01", "2024-12-31"),
            Attr("a", RuleFields.CreatedAt, ConditionOperator.Between, "2024-12-31", "2024-01-01")));
        Assert.False(DependencyFinder.SameConditions(Attr("a", RuleFields.Name, ConditionOperator.Eq, "Asha"), Attr("a", RuleFields.Name, ConditionOperator.Eq, "asha")));
    }

    [Fact]
    public async Task FindAsync_SavedRules_SkipsTheRuleBeingEditedAndTheAppliedPlanSaves()
    {
        await using var host = await RuleHost.StartAsync(Folder);
        var rules = host.Get<RuleService>();
        var tierAndGmail = (await rules.SaveAsync(null, Draft("Tier 1 on gmail", And("root", Tier1(), Gmail())), null, CoreHost.Marketer)).Rule!;
        var draft = Draft("Tier 1 on gmail in Pune", And("root", Pune("c9"), Gmail("c8"), Tier1("c7")));
        var finder = host.Get<DependencyFinder>();

        var suggestion = Assert.Single(await finder.FindAsync(draft));
        Assert.Equal((tierAndGmail.Id, "Tier 1 on gmail"), (suggestion.Reused.RuleId, suggestion.Reused.SegmentName));
        Assert.Empty(await finder.FindAsync(draft, tierAndGmail.Id));

        var saved = await rules.SaveAsync(null, DependencyFinder.Apply(draft, suggestion), null, CoreHost.Marketer);
        Assert.True(saved.Saved, string.Join("; ", saved.Issues));
        Assert.Equal([tierAndGmail.Id], saved.Rule!.DependsOn);
        Assert.Equal(SetOperation.Intersection, saved.Rule.Operation);
        Assert.Equal([Pune("c9")], ((GroupCondition)RuleService.ToDraft(saved.Rule).Root).Children);
    }
}
