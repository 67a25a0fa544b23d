using Portal.Core.Rules;

namespace Portal.Core.Demo;

/// <summary>
/// The demo's rules, one for each thing the condition builder does: an attribute test, a windowed card-spend sum, a
/// UPI count, a membership test on another segment, and the three set operations over saved segments. Amounts are
/// rupees, as in the demo data; windows count back from the refresh, so they find spenders on any day.
/// </summary>
public static class DemoRules
{
    public const string Tier1 = "Tier 1 city customers";
    public const string TravelSpenders = "Travel spenders, last 90 days";
    public const string UpiRegulars = "UPI regulars, last 30 days";
    public const string GmailTravelSpenders = "Gmail travel spenders";
    public const string Tier1TravelSpenders = "Tier 1 travel spenders";
    public const string Engaged = "Engaged customers";
    public const string CardOnlyTravellers = "Card-only travellers";

    /// <summary>The rules that read only the customer tables, in the order they are saved.</summary>
    public static IReadOnlyList<RuleDraft> Base { get; } =
    [
        Draft(Tier1, "Customers living in a tier 1 city (Mumbai, Delhi, Bengaluru …).",
            new AttributeCondition("c1", false, RuleFields.CityTier, ConditionOperator.Eq, ["1"])),
        Draft(TravelSpenders, "Card spend on Travel above ₹15,000 in the 90 days before the refresh.",
            new AggregateCondition("c1", false, AggregateFunction.Sum, TransactionSource.CreditCard, ["Travel"], [],
                AggregateWindow.Days(90), ConditionOperator.Gt, ["15000"])),
        Draft(UpiRegulars, "Three or more UPI payments in the 30 days before the refresh.",
            new AggregateCondition("c1", false, AggregateFunction.Count, TransactionSource.Upi, [], [],
                AggregateWindow.Days(30), ConditionOperator.Gte, ["3"])),
    ];

    /// <summary>
    /// The rules built on saved segments, given the ids of the base rules' and their segments by rule name: a
    /// membership test inside a rule's own conditions, then INTERSECTION, UNION and DIFFERENCE of saved segments.
    /// </summary>
    public static IReadOnlyList<RuleDraft> Combined(IReadOnlyDictionary<string, (long RuleId, long SegmentId)> saved) =>
    [
        Draft(GmailTravelSpenders, "Travel spenders who use a Gmail address (a membership test on a saved segment).",
            new AttributeCondition("c1", false, RuleFields.EmailDomain, ConditionOperator.Eq, ["gmail.com"]),
            new SegmentCondition("c2", false, saved[TravelSpenders].SegmentId, ConditionOperator.In)),
        Combination(Tier1TravelSpenders, "Travel spenders in tier 1 cities: the intersection of two segments.",
            SetOperation.Intersection, saved[Tier1].RuleId, saved[TravelSpenders].RuleId),
        Combination(Engaged, "Travel spenders or UPI regulars: the union of two segments.",
            SetOperation.Union, saved[TravelSpenders].RuleId, saved[UpiRegulars].RuleId),
        Combination(CardOnlyTravellers, "Travel spenders who are not UPI regulars: the difference of two segments.",
            SetOperation.Difference, saved[TravelSpenders].RuleId, saved[UpiRegulars].RuleId),
    ];

    /// <summary>The segment the demo's segment-fed audience takes its members from.</summary>
    public const string AudienceSegment = Tier1TravelSpenders;

    private static RuleDraft Draft(string name, string description, params ConditionNode[] conditions) =>
        new(name, description, new GroupCondition("root", false, GroupLogic.And, conditions), null, null, null, [], null);

    private static RuleDraft Combination(string name, string description, SetOperation operation, params long[] ruleIds) =>
        new(name, description, new GroupCondition("root", false, GroupLogic.And, []), null, null, null, ruleIds, operation);
}
