using System.Globalization;
using Portal.Core.Customers;
using Portal.Core.Rules;

namespace Portal.Tests.Core.Segments;

/// <summary>
/// An independent reading of a rule: its members computed with LINQ to objects over the customers and transactions in
/// memory, from the rules' documented meaning, sharing nothing with the SQL compiler. Text comparisons fold ASCII case
/// (as SQLite does); a customer without matching transactions has sum and count 0 and no average, minimum or maximum;
/// averages compare at 6 decimals; dates compare by UTC day; windows are inclusive.
/// </summary>
internal sealed class RuleOracle
{
    private readonly IReadOnlyList<Customer> _users;
    private readonly IReadOnlyList<(long UserId, decimal Amount, string Category, string Merchant, DateTime Date, bool Card)> _transactions;
    private readonly DateTime _now;
    private readonly Dictionary<long, HashSet<long>> _membersOfRule = [];
    private readonly Dictionary<long, long> _ruleOfSegment = [];

    public RuleOracle(IReadOnlyList<Customer> users, IEnumerable<CreditCardTransaction> cards, IEnumerable<UpiTransaction> upi, DateTime now)
    {
        _users = users;
        _transactions = cards.Select(t => (t.UserId, t.Amount, t.Category, t.Merchant, t.TransactionDate, true))
            .Concat(upi.Select(t => (t.UserId, t.Amount, t.Category, t.Description, t.TransactionDate, false)))
            .ToList();
        _now = now;
    }

    public IReadOnlyList<Customer> Users => _users;

    /// <summary>Evaluates a saved rule and remembers its members, for the rules that combine it or test membership in it.</summary>
    public HashSet<long> Add(long ruleId, long segmentId, RuleDraft rule)
    {
        var members = Members(rule);
        _membersOfRule[ruleId] = members;
        _ruleOfSegment[segmentId] = ruleId;
        return members;
    }

    public HashSet<long> Members(RuleDraft rule)
    {
        var parts = rule.DependsOn.Select(d => _membersOfRule[d]).ToList();
        if (rule.Root is not GroupCondition { Children.Count: 0 } || parts.Count == 0)
        {
            var values = new Dictionary<AggregateCondition, Dictionary<long, List<decimal>>>(ReferenceEqualityComparer.Instance);
            parts.Add(_users.Where(u => Holds(rule, rule.Root, u, values)).Select(u => u.UserId).ToHashSet());
        }

        var result = new HashSet<long>(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            switch (rule.Operation)
            {
                case SetOperation.Intersection: result.IntersectWith(part); break;
                case SetOperation.Difference: result.ExceptWith(part); break;
                default: result.UnionWith(part); break;
            }
        }

        return result;
    }

    /// <summary>The aggregate of each customer (null: no average, minimum or maximum), for picking thresholds from the data.</summary>
    public IReadOnlyList<decimal?> ValuesOf(AggregateCondition a, DateTime? start, DateTime? end)
    {
        var amounts = AmountsByUser(a, start, end);
        return _users.Select(u => Aggregate(a.Function, amounts.GetValueOrDefault(u.UserId) ?? [])).ToList();
    }

    private bool Holds(RuleDraft rule, ConditionNode node, Customer user, Dictionary<AggregateCondition, Dictionary<long, List<decimal>>> values)
    {
        var holds = node switch
        {
            GroupCondition { Logic: GroupLogic.And } g => g.Children.All(c => Holds(rule, c, user, values)),
            GroupCondition g => g.Children.Any(c => Holds(rule, c, user, values)),
            AttributeCondition a => Attribute(a, user),
            AggregateCondition a => Compare(Aggregate(a.Function, AmountsOf(a, rule, values).GetValueOrDefault(user.UserId) ?? []), a.Operator, a.Values),
            SegmentCondition s => _membersOfRule[_ruleOfSegment[s.SegmentId]].Contains(user.UserId) == (s.Operator == ConditionOperator.In),
            _ => throw new InvalidOperationException(node.GetType().Name),
        };
        return holds != node.Not;
    }

    private Dictionary<long, List<decimal>> AmountsOf(AggregateCondition a, RuleDraft rule, Dictionary<AggregateCondition, Dictionary<long, List<decimal>>> cache)
    {
        if (!cache.TryGetValue(a, out var amounts))
        {
            cache[a] = amounts = AmountsByUser(a, rule.StartDate, rule.EndDate);
        }

        return amounts;
    }

    private Dictionary<long, List<decimal>> AmountsByUser(AggregateCondition a, DateTime? start, DateTime? end)
    {
        var (from, to) = a.Window.LastDays is { } days ? (_now.AddDays(-days), _now) : (start, end);
        return _transactions
            .Where(t => a.Source == TransactionSource.Both || t.Card == (a.Source == TransactionSource.CreditCard))
            .Where(t => a.Categories.Count == 0 || a.Categories.Contains(t.Category))
            .Where(t => a.Merchants.Count == 0 || a.Merchants.Contains(t.Merchant))
            .Where(t => (from is null || t.Date >= from) && (to is null || t.Date <= to))
            .GroupBy(t => t.UserId)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Amount).ToList());
    }

    private static decimal? Aggregate(AggregateFunction function, List<decimal> amounts) => function switch
    {
        AggregateFunction.Sum => amounts.Sum(),
        AggregateFunction.Count => amounts.Count,
        _ when amounts.Count == 0 => null,
        AggregateFunction.Avg => Math.Round(amounts.Sum() / amounts.Count, 6, MidpointRounding.AwayFromZero),
        AggregateFunction.Min => amounts.Min(),
        _ => amounts.Max(),
    };

    private static bool Attribute(AttributeCondition a, Customer user) => a.Field switch
    {
        RuleFields.CityTier => Compare(user.CityTier, a.Operator, a.Values),
        RuleFields.CreatedAt => CompareDay(DateOnly.FromDateTime(user.CreatedAt), a.Operator, a.Values),
        RuleFields.Name => CompareText(user.Name, a.Operator, a.Values),
        RuleFields.Email => CompareText(user.Email, a.Operator, a.Values),
        RuleFields.City => CompareText(user.City, a.Operator, a.Values),
        RuleFields.EmailDomain => CompareText(user.Email.Contains('@', StringComparison.Ordinal) ? user.Email[(user.Email.IndexOf('@', StringComparison.Ordinal) + 1)..] : "", a.Operator, a.Values),
        _ => throw new InvalidOperationException(a.Field),
    };

    private static bool Compare(decimal? x, ConditionOperator op, IReadOnlyList<string> values)
    {
        if (x is not { } v)
        {
            return false;
        }

        var n = values.Select(s => decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture)).ToList();
        return op switch
        {
            ConditionOperator.Eq => v == n[0],
            ConditionOperator.Ne => v != n[0],
            ConditionOperator.Gt => v > n[0],
            ConditionOperator.Gte => v >= n[0],
            ConditionOperator.Lt => v < n[0],
            ConditionOperator.Lte => v <= n[0],
            ConditionOperator.Between => v >= n[0] && v <= n[1],
            ConditionOperator.In => n.Contains(v),
            ConditionOperator.NotIn => !n.Contains(v),
            _ => throw new InvalidOperationException(op.ToString()),
        };
    }

    private static bool CompareDay(DateOnly day, ConditionOperator op, IReadOnlyList<string> values)
    {
        var d = values.Select(s => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        return op switch
        {
            ConditionOperator.Eq => day == d[0],
            ConditionOperator.Ne => day != d[0],
            ConditionOperator.Gt => day > d[0],
            ConditionOperator.Gte => day >= d[0],
            ConditionOperator.Lt => day < d[0],
            ConditionOperator.Lte => day <= d[0],
            ConditionOperator.Between => day >= d[0] && day <= d[1],
            _ => throw new InvalidOperationException(op.ToString()),
        };
    }

    private static bool CompareText(string text, ConditionOperator op, IReadOnlyList<string> values)
    {
        var x = AsciiLower(text);
        var v = values.Select(AsciiLower).ToList();
        return op switch
        {
            ConditionOperator.Eq => x == v[0],
            ConditionOperator.Ne => x != v[0],
            ConditionOperator.Contains => x.Contains(v[0], StringComparison.Ordinal),
            ConditionOperator.StartsWith => x.StartsWith(v[0], StringComparison.Ordinal),
            ConditionOperator.In => v.Contains(x),
            ConditionOperator.NotIn => !v.Contains(x),
            ConditionOperator.IsEmpty => x.Length == 0,
            _ => throw new InvalidOperationException(op.ToString()),
        };
    }

    private static string AsciiLower(string s) => string.Create(s.Length, s, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
        }
    });
}
