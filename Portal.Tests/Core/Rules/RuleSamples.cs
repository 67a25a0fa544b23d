using Portal.Core.Rules;

namespace Portal.Tests.Core.Rules;

/// <summary>Condition trees the rule tests share.</summary>
internal static class RuleSamples
{
    public static AttributeCondition Attr(string id, string field, ConditionOperator op, params string[] values) => new(id, false, field, op, values);

    public static AggregateCondition Spend(string id, ConditionOperator op, string value, int? lastDays = 30, TransactionSource source = TransactionSource.Both,
        params string[] categories) =>
        new(id, false, AggregateFunction.Sum, source, categories, [], new AggregateWindow(lastDays), op, [value]);

    public static GroupCondition And(string id, params ConditionNode[] children) => new(id, false, GroupLogic.And, children);

    public static GroupCondition Or(string id, params ConditionNode[] children) => new(id, false, GroupLogic.Or, children);

    /// <summary>Tier-1 customers on gmail who spent over 5,000 on Travel in the last 30 days, or anyone who is not in tier 3.</summary>
    public static GroupCondition Nested() => And("root",
        Attr("c1", RuleFields.CityTier, ConditionOperator.Eq, "1"),
        Or("g1",
            Spend("c2", ConditionOperator.Gt, "5000", 30, TransactionSource.Both, "Travel"),
            Attr("c3", RuleFields.EmailDomain, ConditionOperator.In, "gmail.com", "yahoo.com") with { Not = true }),
        new SegmentCondition("c4", false, 7, ConditionOperator.NotIn));

    /// <summary>Customers of one city tier, refreshed on demand only.</summary>
    public static RuleDraft Tier(string name, string tier) => Draft(name, And("root", Attr("c1", RuleFields.CityTier, ConditionOperator.Eq, tier))) with { Schedule = null };

    public static RuleDraft Draft(string name, ConditionNode? root = null) =>
        new(name, "A test rule", root ?? And("root", Attr("c1", RuleFields.CityTier, ConditionOperator.Eq, "1")), "0 3 * * *", null, null, [], null);
}
