namespace Portal.Core.Rules;

public enum GroupLogic
{
    And,
    Or,
}

/// <summary>Typed comparison operators; which ones a field takes depends on its type (<see cref="RuleFields"/>).</summary>
public enum ConditionOperator
{
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Between,
    In,
    NotIn,
    Contains,
    StartsWith,
    IsEmpty,
}

public enum AggregateFunction
{
    Sum,
    Count,
    Avg,
    Min,
    Max,
}

/// <summary>Which transactions an aggregation reads.</summary>
public enum TransactionSource
{
    CreditCard,
    Upi,
    Both,
}

/// <summary>The transactions an aggregation counts: the rule's start/end dates, or the last N days before the refresh.</summary>
public sealed record AggregateWindow(int? LastDays)
{
    public static readonly AggregateWindow Rule = new((int?)null);

    public static AggregateWindow Days(int days) => new(days);

    public bool IsRuleWindow => LastDays is null;
}

/// <summary>
/// A node of a rule's condition tree. Every node has an id (unique in its tree, for the builder, validation messages
/// and undo) and can be negated. Trees are immutable: edits make new trees (<see cref="ConditionTree"/>).
/// </summary>
public abstract record ConditionNode(string Id, bool Not);

/// <summary>AND or OR over its children (NOT when <see cref="ConditionNode.Not"/>).</summary>
public sealed record GroupCondition(string Id, bool Not, GroupLogic Logic, IReadOnlyList<ConditionNode> Children) : ConditionNode(Id, Not)
{
    public bool Equals(GroupCondition? other) =>
        other is not null && Id == other.Id && Not == other.Not && Logic == other.Logic && Children.SequenceEqual(other.Children);

    public override int GetHashCode() => HashCode.Combine(Id, Not, Logic, Children.Count);
}

/// <summary>
/// A user attribute compared with values. Values are text in invariant form (numbers "1", "2.5"; dates "2024-01-31");
/// the field's type says how to read them: one value for most operators, two for Between, any number for In/NotIn,
/// none for IsEmpty.
/// </summary>
public sealed record AttributeCondition(string Id, bool Not, string Field, ConditionOperator Operator, IReadOnlyList<string> Values) : ConditionNode(Id, Not)
{
    public bool Equals(AttributeCondition? other) =>
        other is not null && Id == other.Id && Not == other.Not && Field == other.Field && Operator == other.Operator && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(Id, Not, Field, Operator, Values.Count);
}

/// <summary>
/// An aggregation of a user's transaction amounts (sum, count, average, min, max) from credit card, UPI or both,
/// optionally only some categories and merchants (a UPI payment's merchant is its description), over a window,
/// compared with numbers. A user with no matching transactions has a sum and count of 0 and no average, min or max
/// (so those comparisons are false for them).
/// </summary>
public sealed record AggregateCondition(
    string Id,
    bool Not,
    AggregateFunction Function,
    TransactionSource Source,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Merchants,
    AggregateWindow Window,
    ConditionOperator Operator,
    IReadOnlyList<string> Values) : ConditionNode(Id, Not)
{
    public bool Equals(AggregateCondition? other) =>
        other is not null && Id == other.Id && Not == other.Not && Function == other.Function && Source == other.Source
        && Categories.SequenceEqual(other.Categories) && Merchants.SequenceEqual(other.Merchants) && Window == other.Window
        && Operator == other.Operator && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(Id, Not, Function, Source, Window, Operator, Values.Count);
}

/// <summary>Membership of the user in another saved segment (In) or not (NotIn).</summary>
public sealed record SegmentCondition(string Id, bool Not, long SegmentId, ConditionOperator Operator) : ConditionNode(Id, Not);
