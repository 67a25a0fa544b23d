using System.Globalization;
using Portal.Core.Jobs;

namespace Portal.Core.Rules;

/// <summary>What a rule is, as the builder and the API submit it (before it is saved).</summary>
public sealed record RuleDraft(
    string Name,
    string? Description,
    ConditionNode Root,
    string? Schedule,
    DateTime? StartDate,
    DateTime? EndDate,
    IReadOnlyList<long> DependsOn,
    SetOperation? Operation)
{
    public static RuleDraft Empty(string name) =>
        new(name, null, new GroupCondition("root", false, GroupLogic.And, []), null, null, null, [], null);
}

/// <summary>
/// A problem with a rule, on the condition it concerns (<see cref="NodeId"/>, null for the rule's own fields) and the
/// field (<c>name</c>, <c>schedule</c>, <c>values</c>, …), in words a marketer can act on.
/// </summary>
public sealed record RuleIssue(string? NodeId, string Field, string Message)
{
    public override string ToString() => NodeId is null ? $"{Field}: {Message}" : $"condition {NodeId}, {Field}: {Message}";
}

/// <summary>
/// Checks a rule on its own: name, schedule, window, set operation, and every condition (known field, operator for its
/// type, number and form of values, windows, empty groups, duplicate ids). What needs the database (unique names,
/// existing segments, cycles) is <see cref="RuleService"/>'s.
/// </summary>
public static class RuleValidator
{
    public const int MaxLastDays = 3650;

    /// <summary>The description column's size (a server database refuses a longer one; SQLite would keep it).</summary>
    public const int MaxDescriptionLength = 2000;

    public static IReadOnlyList<RuleIssue> Validate(RuleDraft draft)
    {
        var issues = new List<RuleIssue>();
        if (string.IsNullOrWhiteSpace(draft.Name))
        {
            issues.Add(new(null, "name", "A rule needs a name."));
        }
        else if (draft.Name.Length > 200)
        {
            issues.Add(new(null, "name", "At most 200 characters."));
        }

        if (draft.Description is { Length: > MaxDescriptionLength } description)
        {
            issues.Add(new(null, "description", $"At most {MaxDescriptionLength:N0} characters ({description.Length:N0} given)."));
        }

        if (!string.IsNullOrWhiteSpace(draft.Schedule) && !CronSchedule.TryParse(draft.Schedule, out _, out var cronError))
        {
            issues.Add(new(null, "schedule", cronError ?? "Not a cron expression."));
        }

        if (draft.StartDate is { } from && draft.EndDate is { } to && from > to)
        {
            issues.Add(new(null, "end_date", "The window ends before it starts."));
        }

        CheckCombination(draft, issues);

        if (draft.Root is not GroupCondition root)
        {
            issues.Add(new(draft.Root.Id, "type", "The top of a rule is a group."));
            return issues;
        }

        if (root.Children.Count == 0 && draft.DependsOn.Count == 0)
        {
            issues.Add(new(root.Id, "children", "A rule needs at least one condition, or segments to combine."));
        }

        foreach (var duplicate in ConditionTree.All(root).GroupBy(n => n.Id).Where(g => g.Count() > 1))
        {
            issues.Add(new(duplicate.Key, "id", $"The id '{duplicate.Key}' is used by {duplicate.Count()} conditions."));
        }

        foreach (var node in ConditionTree.All(root))
        {
            CheckNode(node, root, issues);
        }

        return issues;
    }

    private static void CheckCombination(RuleDraft draft, List<RuleIssue> issues)
    {
        if (draft.DependsOn.Count > 0 && draft.Operation is null)
        {
            issues.Add(new(null, "operation", "Say how to combine the segments it depends on: INTERSECTION, UNION or DIFFERENCE."));
        }

        if (draft.Operation is not null && draft.DependsOn.Count == 0)
        {
            issues.Add(new(null, "depends_on", $"{draft.Operation.Value.ToString().ToUpperInvariant()} needs the segments it combines."));
        }

        if (draft.DependsOn.Distinct().Count() != draft.DependsOn.Count)
        {
            issues.Add(new(null, "depends_on", "A segment is listed twice."));
        }

        var hasOwn = draft.Root is GroupCondition { Children.Count: > 0 };
        if (draft.Operation is SetOperation.Difference or SetOperation.Intersection or SetOperation.Union && draft.DependsOn.Count + (hasOwn ? 1 : 0) < 2)
        {
            issues.Add(new(null, "depends_on", "A combination needs at least two parts: two segments, or a segment and conditions of its own."));
        }
    }

    private static void CheckNode(ConditionNode node, GroupCondition root, List<RuleIssue> issues)
    {
        switch (node)
        {
            case GroupCondition g when g.Children.Count == 0 && !ReferenceEquals(g, root):
                issues.Add(new(g.Id, "children", "This group is empty: add a condition or remove the group."));
                break;
            case AttributeCondition a:
            {
                var field = RuleFields.Find(a.Field);
                if (field is null)
                {
                    issues.Add(new(a.Id, "field", $"Unknown field '{a.Field}'; use one of {string.Join(", ", RuleFields.Attributes.Select(f => f.Name))}."));
                    break;
                }

                CheckOperatorAndValues(a.Id, field.Label, field.Type, RuleFields.OperatorsFor(field.Type), a.Operator, a.Values, issues);
                break;
            }

            case AggregateCondition a:
                CheckOperatorAndValues(a.Id, $"{a.Function} of amount", FieldType.Number, RuleFields.AggregateOperators, a.Operator, a.Values, issues);
                if (a.Window.LastDays is { } days && days is < 1 or > MaxLastDays)
                {
                    issues.Add(new(a.Id, "last_days", $"The last {days} days: use 1 to {MaxLastDays}."));
                }

                if (a.Categories.Any(string.IsNullOrWhiteSpace) || a.Merchants.Any(string.IsNullOrWhiteSpace))
                {
                    issues.Add(new(a.Id, "categories", "Category and merchant filters cannot hold empty names."));
                }

                break;
            case SegmentCondition s when !RuleFields.SegmentOperators.Contains(s.Operator):
                issues.Add(new(s.Id, "op", "Segment membership is 'in' or 'not in'."));
                break;
        }
    }

    private static void CheckOperatorAndValues(string id, string label, FieldType type, IReadOnlyList<ConditionOperator> allowed, ConditionOperator op,
        IReadOnlyList<string> values, List<RuleIssue> issues)
    {
        if (!allowed.Contains(op))
        {
            issues.Add(new(id, "op", $"'{RuleFields.Symbol(op)}' does not apply to {label} ({type.ToString().ToLowerInvariant()}); use {string.Join(", ", allowed.Select(RuleFields.Symbol))}."));
            return;
        }

        var count = RuleFields.ValueCount(op);
        if (count is { } n && values.Count != n)
        {
            issues.Add(new(id, "values", n switch
            {
                0 => $"'{RuleFields.Symbol(op)}' takes no value.",
                1 => $"{label} {RuleFields.Symbol(op)} needs one value.",
                _ => $"{label} {RuleFields.Symbol(op)} needs {n} values.",
            }));
            return;
        }

        if (count is null && values.Count == 0)
        {
            issues.Add(new(id, "values", $"{label} {RuleFields.Symbol(op)} needs at least one value."));
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            var ok = type switch
            {
                FieldType.Number => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _),
                FieldType.Date => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                _ => value.Length > 0 || op is ConditionOperator.Eq or ConditionOperator.Ne,
            };
            if (!ok)
            {
                issues.Add(new(id, $"values[{i}]", type switch
                {
                    FieldType.Number => $"'{value}' is not a number ({label}).",
                    FieldType.Date => $"'{value}' is not a date (yyyy-MM-dd) ({label}).",
                    _ => $"Empty text ({label}): use 'is empty' to find empty values.",
                }));
            }
        }

        if (op == ConditionOperator.Between && issues.All(x => x.NodeId != id) && Compare(type, values[0], values[1]) > 0)
        {
            issues.Add(new(id, "values", $"Between {values[0]} and {values[1]}: the first value must not be greater than the second."));
        }
    }

    private static int Compare(FieldType type, string a, string b) => type == FieldType.Number
        ? decimal.Parse(a, CultureInfo.InvariantCulture).CompareTo(decimal.Parse(b, CultureInfo.InvariantCulture))
        : string.CompareOrdinal(a, b);
}
