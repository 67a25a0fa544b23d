namespace Portal.Core.Rules;

public enum FieldType
{
    Number,
    Date,
    Text,
}

/// <summary>A user attribute a condition can test, with its type, the builder's group and its label.</summary>
public sealed record RuleField(string Name, string Label, string Category, FieldType Type);

/// <summary>The fields and operators the condition builder offers, and what the validator accepts.</summary>
public static class RuleFields
{
    public const string CityTier = "city_tier";
    public const string CreatedAt = "created_at";
    public const string EmailDomain = "email_domain";
    public const string Name = "name";
    public const string Email = "email";
    public const string City = "city";

    public static readonly IReadOnlyList<RuleField> Attributes =
    [
        new(CityTier, "City tier", "Customer", FieldType.Number),
        new(City, "City", "Customer", FieldType.Text),
        new(CreatedAt, "Customer since", "Customer", FieldType.Date),
        new(Name, "Name", "Customer", FieldType.Text),
        new(Email, "Email", "Contact", FieldType.Text),
        new(EmailDomain, "Email domain", "Contact", FieldType.Text),
    ];

    public static RuleField? Find(string name) => Attributes.FirstOrDefault(f => f.Name == name);

    public static IReadOnlyList<ConditionOperator> OperatorsFor(FieldType type) => type switch
    {
        FieldType.Number => [ConditionOperator.Eq, ConditionOperator.Ne, ConditionOperator.Gt, ConditionOperator.Gte, ConditionOperator.Lt,
            ConditionOperator.Lte, ConditionOperator.Between, ConditionOperator.In, ConditionOperator.NotIn],
        FieldType.Date => [ConditionOperator.Eq, ConditionOperator.Ne, ConditionOperator.Gt, ConditionOperator.Gte, ConditionOperator.Lt,
            ConditionOperator.Lte, ConditionOperator.Between],
        _ => [ConditionOperator.Eq, ConditionOperator.Ne, ConditionOperator.Contains, ConditionOperator.StartsWith, ConditionOperator.In,
            ConditionOperator.NotIn, ConditionOperator.IsEmpty],
    };

    /// <summary>Aggregations compare numbers.</summary>
    public static IReadOnlyList<ConditionOperator> AggregateOperators { get; } = OperatorsFor(FieldType.Number);

    public static IReadOnlyList<ConditionOperator> SegmentOperators { get; } = [ConditionOperator.In, ConditionOperator.NotIn];

    /// <summary>How many values an operator takes: exactly n, or null for one or more.</summary>
    public static int? ValueCount(ConditionOperator op) => op switch
    {
        ConditionOperator.IsEmpty => 0,
        ConditionOperator.Between => 2,
        ConditionOperator.In or ConditionOperator.NotIn => null,
        _ => 1,
    };

    public static string Symbol(ConditionOperator op) => op switch
    {
        ConditionOperator.Eq => "=",
        ConditionOperator.Ne => "≠",
        ConditionOperator.Gt => ">",
        ConditionOperator.Gte => "≥",
        ConditionOperator.Lt => "<",
        ConditionOperator.Lte => "≤",
        ConditionOperator.Between => "between",
        ConditionOperator.In => "in",
        ConditionOperator.NotIn => "not in",
        ConditionOperator.Contains => "contains",
        ConditionOperator.StartsWith => "starts with",
        _ => "is empty",
    };
}
