using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Rules;

namespace Portal.Core.Segments;

/// <summary>An existing rule the finder may reuse, with its segment (for the suggestion's wording and freshness).</summary>
public sealed record ReuseCandidate(
    long RuleId,
    string RuleName,
    ConditionNode Root,
    DateTime? StartDate,
    DateTime? EndDate,
    IReadOnlyList<long> DependsOn,
    long SegmentId,
    string SegmentName,
    long RowCount,
    SegmentStatus Status,
    DateTime? LastRefreshedAt);

/// <summary>
/// A proposal to build the new rule's segment from an existing one: <see cref="Operation"/> of the reused segment
/// with the rule's <see cref="Remainder"/> (its own conditions, joined by <see cref="RemainderLogic"/>).
/// <see cref="Covered"/> are the new rule's conditions the reused segment stands for.
/// </summary>
public sealed record ReuseSuggestion(
    ReuseCandidate Reused,
    SetOperation Operation,
    IReadOnlyList<ConditionNode> Covered,
    IReadOnlyList<ConditionNode> Remainder,
    GroupLogic RemainderLogic)
{
    /// <summary>How many conditions (leaves, not groups) the reused segment saves computing.</summary>
    public int CoveredConditions => Covered.Sum(DependencyFinder.Leaves);

    public int RemainingConditions => Remainder.Sum(DependencyFinder.Leaves);

    /// <summary>The plan in words, e.g. "INTERSECTION of segment 'High spenders' (2 conditions reused) with 1 remaining condition".</summary>
    public string Plan =>
        $"{Operation.ToString().ToUpperInvariant()} of segment '{Reused.SegmentName}' ({Conditions(CoveredConditions)} reused) with {RemainingConditions} remaining {(RemainingConditions == 1 ? "condition" : "conditions")}";

    private static string Conditions(int n) => n == 1 ? "1 condition" : $"{n} conditions";
}

/// <summary>
/// The dependency finder: when a rule is saved, finds existing rules whose conditions are contained in the new
/// rule's and proposes to reuse their segments. For a top-level AND whose children include all of an existing rule's
/// top-level AND conditions, the new segment is the INTERSECTION of that segment with the remaining conditions; for a
/// top-level OR holding all of an existing rule's OR conditions, the UNION. A nested group equal to a whole existing
/// rule is covered too. Conditions compare by structure: node ids, the order of children, of IN values and of category
/// and merchant filters do not matter; "100" equals "100.0". Only plain rules (no depends_on) are reused, and a rule
/// whose aggregations read the rule window only when its window equals the new rule's.
/// </summary>
public sealed class DependencyFinder(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>Suggestions for the draft against every saved rule except <paramref name="ruleId"/> (the one being edited), best first.</summary>
    public async Task<IReadOnlyList<ReuseSuggestion>> FindAsync(RuleDraft draft, long? ruleId = null, CancellationToken cancellationToken = default)
    {
        if (Effective(draft) is null)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await (
            from r in db.Rules.AsNoTracking()
            join s in db.Segments.AsNoTracking() on r.Id equals s.RuleId
            where r.Id != (ruleId ?? 0)
            select new { Rule = r, Segment = s }).ToListAsync(cancellationToken);
        var candidates = new List<ReuseCandidate>(rows.Count);
        foreach (var x in rows)
        {
            ConditionNode root;
            try
            {
                root = ConditionJson.Read(x.Rule.Conditions);
            }
            catch (ConditionFormatException)
            {
                continue;
            }

            candidates.Add(new ReuseCandidate(x.Rule.Id, x.Rule.Name, root, x.Rule.StartDate, x.Rule.EndDate, x.Rule.DependsOn, x.Segment.Id,
                x.Segment.Name, x.Segment.RowCount, x.Segment.Status, x.Segment.LastRefreshedAt));
        }

        return Find(draft, candidates);
    }

    /// <summary>Suggestions for the draft among the candidates, the one covering most conditions first.</summary>
    public static IReadOnlyList<ReuseSuggestion> Find(RuleDraft draft, IEnumerable<ReuseCandidate> candidates)
    {
        if (Effective(draft) is not { } target)
        {
            return [];
        }

        var suggestions = new List<ReuseSuggestion>();
        var targetKeys = target.Children.Select(Key).ToList();
        foreach (var candidate in candidates)
        {
            if (candidate.DependsOn.Count > 0 || Effective(candidate.Root) is not { Children.Count: > 0 } reused || !SameWindowIfNeeded(draft, candidate, reused))
            {
                continue;
            }

            var covered = Cover(target, targetKeys, reused);
            if (covered is null || covered.Count == target.Children.Count)
            {
                continue;
            }

            suggestions.Add(new ReuseSuggestion(
                candidate,
                target.Logic == GroupLogic.And ? SetOperation.Intersection : SetOperation.Union,
                covered.Select(i => target.Children[i]).ToList(),
                target.Children.Where((_, i) => !covered.Contains(i)).ToList(),
                target.Logic));
        }

        return suggestions
            .OrderByDescending(s => s.CoveredConditions)
            .ThenByDescending(s => s.Covered.Count)
            .ThenBy(s => s.Reused.Status == SegmentStatus.Fresh ? 0 : 1)
            .ThenBy(s => s.Reused.RuleId)
            .ToList();
    }

    /// <summary>
    /// The draft rewritten to the suggestion's plan: depends on the reused rule with the suggestion's operation, and
    /// only the remaining conditions of its own (node ids kept).
    /// </summary>
    public static RuleDraft Apply(RuleDraft draft, ReuseSuggestion suggestion)
    {
        var ids = ConditionTree.All(draft.Root).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        if (suggestion.Remainder.Concat(suggestion.Covered).Any(n => !ids.Contains(n.Id)))
        {
            throw new ArgumentException("The suggestion was made for another version of this rule.", nameof(suggestion));
        }

        return draft with
        {
            Root = new GroupCondition(draft.Root.Id, false, suggestion.RemainderLogic, suggestion.Remainder),
            DependsOn = [suggestion.Reused.RuleId],
            Operation = suggestion.Operation,
        };
    }

    /// <summary>True when the two conditions mean the same (ids and order ignored).</summary>
    public static bool SameConditions(ConditionNode a, ConditionNode b) => Key(a) == Key(b);

    /// <summary>A canonical text of a condition: equal for conditions equal up to node ids and order.</summary>
    public static string Key(ConditionNode node) => JsonSerializer.Serialize<object?[]>(node switch
    {
        GroupCondition g => ["group", g.Not, g.Logic.ToString(), g.Children.Select(Key).Order(StringComparer.Ordinal).ToArray()],
        AttributeCondition a => ["attribute", a.Not, a.Field, a.Operator.ToString(),
            Values(a.Operator, a.Values, RuleFields.Find(a.Field)?.Type == FieldType.Number)],
        AggregateCondition a => ["aggregate", a.Not, a.Function.ToString(), a.Source.ToString(), Set(a.Categories), Set(a.Merchants),
            a.Window.LastDays, a.Operator.ToString(), Values(a.Operator, a.Values, number: true)],
        SegmentCondition s => ["segment", s.Not, s.SegmentId, s.Operator.ToString()],
        _ => throw new ArgumentException($"Unknown condition type {node.GetType().Name}.", nameof(node)),
    });

    internal static int Leaves(ConditionNode node) => ConditionTree.All(node).Count(n => n is not GroupCondition);

    /// <summary>The draft's top group (a lone non-negated group inside it stands for it), when it can take a suggestion.</summary>
    private static GroupCondition? Effective(RuleDraft draft) =>
        draft.DependsOn.Count == 0 && draft.Operation is null && Effective(draft.Root) is { Children.Count: >= 2 } g ? g : null;

    private static GroupCondition? Effective(ConditionNode root)
    {
        if (root is not GroupCondition { Not: false } group)
        {
            return null;
        }

        while (group.Children is [GroupCondition { Not: false } inner])
        {
            group = inner;
        }

        return group;
    }

    /// <summary>
    /// The indexes of the target's children that the reused rule stands for: all of its top-level conditions among
    /// the target's (same logic, or a rule of one condition), or one nested group equal to the whole rule; else null.
    /// </summary>
    private static List<int>? Cover(GroupCondition target, List<string> targetKeys, GroupCondition reused)
    {
        if (reused.Logic == target.Logic || reused.Children.Count == 1)
        {
            var used = new List<int>();
            foreach (var key in reused.Children.Select(Key))
            {
                var index = Enumerable.Range(0, targetKeys.Count).FirstOrDefault(i => targetKeys[i] == key && !used.Contains(i), -1);
                if (index < 0)
                {
                    used = null;
                    break;
                }

                used.Add(index);
            }

            if (used is not null)
            {
                return used;
            }
        }

        var whole = Key(reused);
        var nested = targetKeys.IndexOf(whole);
        return reused.Children.Count > 1 && nested >= 0 ? [nested] : null;
    }

    /// <summary>A rule whose aggregations read its own start/end window can only stand in for a rule with the same window.</summary>
    private static bool SameWindowIfNeeded(RuleDraft draft, ReuseCandidate candidate, GroupCondition reused) =>
        !ConditionTree.All(reused).OfType<AggregateCondition>().Any(a => a.Window.IsRuleWindow)
        || (candidate.StartDate == draft.StartDate && candidate.EndDate == draft.EndDate);

    private static string[] Set(IEnumerable<string> values) => values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static string[] Values(ConditionOperator op, IEnumerable<string> values, bool number)
    {
        var normalized = values.Select(v => number && decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out var d)
            ? d.ToString("0.############################", CultureInfo.InvariantCulture)
            : v);
        return op is ConditionOperator.In or ConditionOperator.NotIn ? Set(normalized) : normalized.ToArray();
    }
}
