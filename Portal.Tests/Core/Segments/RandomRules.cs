using System.Globalization;
using Portal.Core.Customers;
using Portal.Core.Rules;

using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Segments;

/// <summary>
/// Random rules over the data at hand, from a seeded <see cref="Random"/>: nested AND/OR groups with NOT, every
/// attribute field with every operator its type takes, every aggregation over every source with category and merchant
/// filters and both kinds of window, membership in earlier segments, and set operations over earlier rules. Values are
/// picked from the data (a customer's city, a real total, a quantile) so that segments are neither all empty nor all full.
/// Field × operator and function × source × operator pairs are dealt from shuffled decks, so every one comes up.
/// </summary>
internal sealed class RandomRules(Random random, RuleOracle oracle, IReadOnlyList<string> cardMerchants, IReadOnlyList<string> upiDescriptions)
{
    private static readonly string[] Categories = DemoDataGenerator.CategoryNames.ToArray();
    private static readonly int[] Days = [7, 30, 90, 180, 365, 730];
    private static readonly DateTime DataStart = DemoDates.End.AddYears(-2);

    private readonly Deck<(RuleField Field, ConditionOperator Op)> _attributes = new(random,
        RuleFields.Attributes.SelectMany(f => RuleFields.OperatorsFor(f.Type).Select(op => (f, op))));

    private readonly Deck<(AggregateFunction Function, TransactionSource Source, ConditionOperator Op)> _aggregates = new(random,
        Enum.GetValues<AggregateFunction>().SelectMany(f => Enum.GetValues<TransactionSource>().SelectMany(s => RuleFields.AggregateOperators.Select(op => (f, s, op)))));

    private int _ids;

    public HashSet<(string Field, ConditionOperator Op)> AttributesUsed { get; } = [];
    public HashSet<(AggregateFunction, TransactionSource, ConditionOperator, bool LastDays, bool Filtered)> AggregatesUsed { get; } = [];

    /// <summary>A rule over the earlier rules (rule id, segment id): its own conditions, a combination of them, or both.</summary>
    public RuleDraft Next(string name, IReadOnlyList<(long RuleId, long SegmentId)> earlier)
    {
        _ids = 0;
        DateTime? start = null, end = null;
        if (random.Next(2) == 0)
        {
            start = random.Next(4) == 0 ? null : DataStart.AddDays(random.Next(600));
            end = random.Next(4) == 0 ? null : (start ?? DataStart).AddDays(random.Next(30, 500));
        }

        var draft = new RuleDraft(name, null, new GroupCondition("root", false, GroupLogic.And, []), null, start, end, [], null);
        if (earlier.Count >= 2 && random.Next(4) == 0)
        {
            var depends = earlier.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(e => e.RuleId).ToList();
            var own = depends.Count == 1 || random.Next(5) < 3;
            return draft with
            {
                DependsOn = depends,
                Operation = (SetOperation)random.Next(3),
                Root = own ? Group(draft, earlier, 1) with { Id = "root" } : draft.Root,
            };
        }

        return draft with { Root = Group(draft, earlier, 0) with { Id = "root" } };
    }

    private GroupCondition Group(RuleDraft draft, IReadOnlyList<(long RuleId, long SegmentId)> earlier, int depth)
    {
        var children = Enumerable.Range(0, random.Next(1, depth == 0 ? 4 : 3))
            .Select(_ => depth < 2 && random.Next(4) == 0 ? Group(draft, earlier, depth + 1) : Leaf(draft, earlier))
            .ToList();
        return new GroupCondition($"g{++_ids}", depth > 0 && random.Next(4) == 0, random.Next(2) == 0 ? GroupLogic.And : GroupLogic.Or, children);
    }

    private ConditionNode Leaf(RuleDraft draft, IReadOnlyList<(long RuleId, long SegmentId)> earlier)
    {
        var id = $"c{++_ids}";
        var not = random.Next(5) == 0;
        var roll = random.Next(10);
        if (roll == 0 && earlier.Count > 0)
        {
            return new SegmentCondition(id, not, earlier[random.Next(earlier.Count)].SegmentId, random.Next(2) == 0 ? ConditionOperator.In : ConditionOperator.NotIn);
        }

        return roll < 6 ? Attribute(id, not) : Aggregate(id, not, draft);
    }

    private AttributeCondition Attribute(string id, bool not)
    {
        var (field, op) = _attributes.Draw();
        AttributesUsed.Add((field.Name, op));
        var count = RuleFields.ValueCount(op) ?? random.Next(1, 4);
        List<string> values = field.Type switch
        {
            FieldType.Number => Enumerable.Range(0, count).Select(_ => new[] { "1", "2", "3", "1.5", "2.5" }[random.Next(5)]).ToList(),
            FieldType.Date => Enumerable.Range(0, count).Select(_ => Customer().CreatedAt.AddDays(random.Next(-3, 4)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal).ToList(),
            _ => Enumerable.Range(0, count).Select(_ => Text(field.Name, op)).ToList(),
        };
        if (field.Type == FieldType.Number && op == ConditionOperator.Between)
        {
            values = values.OrderBy(v => decimal.Parse(v, CultureInfo.InvariantCulture)).ToList();
        }

        return new AttributeCondition(id, not, field.Name, op, values);
    }

    /// <summary>Text from a customer, cut for contains and starts with, in a random mix of case; now and then with a LIKE wildcard.</summary>
    private string Text(string field, ConditionOperator op)
    {
        var customer = Customer();
        var whole = field switch
        {
            RuleFields.Name => customer.Name,
            RuleFields.Email => customer.Email,
            RuleFields.City => customer.City,
            _ => customer.Email[(customer.Email.IndexOf('@', StringComparison.Ordinal) + 1)..],
        };
        var text = op switch
        {
            ConditionOperator.Contains when random.Next(8) == 0 => new[] { "%", "_", "a_", "%a" }[random.Next(4)],
            ConditionOperator.Contains => Cut(whole, random.Next(whole.Length), random.Next(1, 5)),
            ConditionOperator.StartsWith => whole[..Math.Min(whole.Length, random.Next(1, 5))],
            _ => whole,
        };
        return random.Next(3) == 0 ? new string(text.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)).ToArray()) : text;
    }

    private static string Cut(string s, int from, int length) => s.Substring(from, Math.Min(length, s.Length - from));

    private AggregateCondition Aggregate(string id, bool not, RuleDraft draft)
    {
        var (function, source, op) = _aggregates.Draw();
        var categories = random.Next(2) == 0 ? [] : Categories.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToList();
        var merchants = random.Next(4) != 0 ? [] : Merchants(source).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
        var window = random.Next(2) == 0 ? AggregateWindow.Rule : AggregateWindow.Days(Days[random.Next(Days.Length)]);
        AggregatesUsed.Add((function, source, op, window.LastDays is not null, categories.Count + merchants.Count > 0));
        var condition = new AggregateCondition(id, not, function, source, categories, merchants, window, op, []);

        // Thresholds from what customers really have: a present value, rounded to cents.
        var present = oracle.ValuesOf(condition, draft.StartDate, draft.EndDate).OfType<decimal>().Where(v => v != 0 || random.Next(4) == 0).ToList();
        string Pick() => present.Count == 0 ? "100" : Math.Round(present[random.Next(present.Count)], 2).ToString(CultureInfo.InvariantCulture);
        var count = RuleFields.ValueCount(op) ?? random.Next(1, 4);
        var values = Enumerable.Range(0, count).Select(_ => Pick()).ToList();
        if (op == ConditionOperator.Between)
        {
            values = values.OrderBy(v => decimal.Parse(v, CultureInfo.InvariantCulture)).ToList();
        }

        return condition with { Values = values };
    }

    private IEnumerable<string> Merchants(TransactionSource source) => source switch
    {
        TransactionSource.CreditCard => cardMerchants,
        TransactionSource.Upi => upiDescriptions,
        _ => cardMerchants.Concat(upiDescriptions),
    };

    private Customer Customer() => oracle.Users[random.Next(oracle.Users.Count)];

    /// <summary>Deals every item once, in a shuffled order, then shuffles again.</summary>
    private sealed class Deck<T>(Random random, IEnumerable<T> items)
    {
        private readonly T[] _items = items.ToArray();
        private readonly Queue<T> _left = new();

        public T Draw()
        {
            if (_left.Count == 0)
            {
                foreach (var item in _items.OrderBy(_ => random.Next()))
                {
                    _left.Enqueue(item);
                }
            }

            return _left.Dequeue();
        }
    }
}
