using System.Globalization;
using System.Text;
using Portal.Core.Data;

namespace Portal.Core.Rules;

/// <summary>
/// Compiles a rule to one parameterized SQL query, for SQLite, PostgreSQL or SQL Server, that selects the user ids of its segment
/// (each once). Every value is a parameter; the SQL text holds only names, operators and the compiler's own constants.
/// <para>
/// Shape, for speed on millions of rows: the rule's own conditions are one <c>SELECT u.user_id FROM users u</c>; each
/// distinct transaction filter (source, categories, merchants, window) is one derived table grouped by user_id with
/// its filters in the WHERE (so the (category, date) and (date) indexes apply) and the aggregates the conditions need,
/// joined on user_id: an inner join when the rule cannot hold for a user without matching transactions (a condition
/// every match must pass, false at sum = count = 0 and for no average), a left join otherwise. Attribute tests are
/// predicates on <c>users</c>; segment membership is <c>user_id IN (SELECT user_id FROM segment_members WHERE
/// segment_id = @p)</c>. A combined rule is INTERSECT / UNION / EXCEPT over the members of the segments it depends
/// on, in order, then its own conditions when the root group has children.
/// </para>
/// <para>
/// Every condition is two-valued (true or false, never NULL), so NOT and OR are plain logic: a user without matching
/// transactions has sum and count 0 and no average, minimum or maximum, and every comparison of those is false.
/// Text comparisons ignore case (ASCII letters on SQLite, whose NOCASE and LIKE fold only those; LOWER on both sides
/// elsewhere); contains and starts with use LIKE with the user's %, _ and \ (and [ on SQL Server) escaped. The email domain is what follows the first
/// '@' (empty without one); PostgreSQL keeps it, lower case, in the generated column users.email_domain. A date compared with a day means that whole day; between is inclusive at both ends.
/// Sums are compared at cents, averages at 6 decimals (rounded half away from zero). "Last N days" is [now − N days, now]; the rule's window
/// is [start, end], either end open when not set. Category and merchant filters match names exactly.
/// </para>
/// </summary>
public static class RuleCompiler
{
    public const int AverageDecimals = 6;

    /// <summary>
    /// The query selecting the rule's members. <paramref name="segmentOfRule"/> maps the rules it depends on to their
    /// segments; <paramref name="scope"/> (optional) names its parameters and reads some segments from elsewhere.
    /// </summary>
    public static CompiledQuery Compile(RuleDraft draft, DatabaseProvider dialect, DateTime now, IReadOnlyDictionary<long, long>? segmentOfRule = null,
        CompileScope? scope = null)
    {
        var writer = new Writer(dialect, draft, now, allLeft: false, scope);
        var parts = new List<string>();
        foreach (var ruleId in draft.DependsOn)
        {
            if (segmentOfRule is null || !segmentOfRule.TryGetValue(ruleId, out var segmentId))
            {
                throw new ArgumentException($"Rule {ruleId}, which this rule combines, has no segment.", nameof(segmentOfRule));
            }

            parts.Add(writer.SegmentMembers(segmentId));
        }

        if (HasOwnConditions(draft) || parts.Count == 0)
        {
            parts.Add(writer.OwnQuery());
        }

        var operation = draft.Operation switch
        {
            SetOperation.Intersection => "INTERSECT",
            SetOperation.Difference => "EXCEPT",
            _ => "UNION",
        };
        return new CompiledQuery(string.Join($"\n{operation}\n", parts), writer.Parameters);
    }

    /// <summary>
    /// One pass over <c>users</c> counting, side by side: all users (<c>n_users</c>), those who meet the rule's own
    /// conditions (<c>n_rule</c>), and those who meet each top-level child of the root alone (<c>n_0</c>, <c>n_1</c>, …
    /// in the children's order). Every aggregate is left-joined here, since each count looks at every user. The tests
    /// are flags of an inner query, summed outside: SQL Server allows no subquery (segment membership) in an aggregate.
    /// </summary>
    public static CompiledQuery CompileBreakdown(RuleDraft draft, DatabaseProvider dialect, DateTime now)
    {
        var writer = new Writer(dialect, draft, now, allLeft: true, scope: null);
        var joins = writer.Joins();
        IReadOnlyList<ConditionNode> children = draft.Root is GroupCondition g ? g.Children : [draft.Root];
        var flags = new List<string> { $"CASE WHEN {writer.Predicate(draft.Root, 3)} THEN 1 ELSE 0 END AS f_rule" };
        flags.AddRange(children.Select((c, i) => $"CASE WHEN {writer.Predicate(c, 3)} THEN 1 ELSE 0 END AS f_{i}"));
        var sums = children.Select((_, i) => $", SUM(f_{i}) AS n_{i}");
        return new CompiledQuery(
            $"SELECT COUNT(*) AS n_users, SUM(f_rule) AS n_rule{string.Concat(sums)}\nFROM (SELECT {string.Join(",\n    ", flags)}\n  FROM users u{joins.Replace("\n", "\n  ", StringComparison.Ordinal)}) x",
            writer.Parameters);
    }

    /// <summary>Whether the rule has conditions of its own (beyond the segments it combines).</summary>
    public static bool HasOwnConditions(RuleDraft draft) => draft.Root is not GroupCondition { Children.Count: 0 };

    /// <summary>What an aggregate condition says of a user without matching transactions (sum and count 0, no average).</summary>
    public static bool HoldsWithoutTransactions(AggregateCondition a) =>
        (a.Function is AggregateFunction.Sum or AggregateFunction.Count && Holds(0m, a.Operator, a.Values)) != a.Not;

    private static bool Holds(decimal x, ConditionOperator op, IReadOnlyList<string> values)
    {
        var v = values.Select(s => decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : (decimal?)null).ToList();
        if (v.Any(d => d is null) || v.Count < (RuleFields.ValueCount(op) ?? 1))
        {
            return true; // not a valid comparison: assume it may hold, so the join stays a left join
        }

        return op switch
        {
            ConditionOperator.Eq => x == v[0],
            ConditionOperator.Ne => x != v[0],
            ConditionOperator.Gt => x > v[0],
            ConditionOperator.Gte => x >= v[0],
            ConditionOperator.Lt => x < v[0],
            ConditionOperator.Lte => x <= v[0],
            ConditionOperator.Between => x >= v[0] && x <= v[1],
            ConditionOperator.In => v.Contains(x),
            ConditionOperator.NotIn => !v.Contains(x),
            _ => true,
        };
    }

    /// <summary>A derived table: one transaction filter, the aggregates conditions take from it, and how it is joined.</summary>
    private sealed class Derived(string alias, AggregateCondition first)
    {
        public string Alias { get; } = alias;
        public TransactionSource Source { get; } = first.Source;
        public IReadOnlyList<string> Categories { get; } = Canonical(first.Categories);
        public IReadOnlyList<string> Merchants { get; } = Canonical(first.Merchants);
        public AggregateWindow Window { get; } = first.Window;
        public SortedSet<AggregateFunction> Functions { get; } = [];
        public bool Inner { get; set; }

        public static string Key(AggregateCondition a) =>
            $"{a.Source}\u001e{string.Join('\u001f', Canonical(a.Categories))}\u001e{string.Join('\u001f', Canonical(a.Merchants))}\u001e{a.Window.LastDays}";

        private static string[] Canonical(IEnumerable<string> names) => names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    private sealed class Writer
    {
        private readonly bool _sqlite;
        private readonly DatabaseProvider _dialect;
        private readonly RuleDraft _draft;
        private readonly DateTime _now;
        private readonly bool _allLeft;
        private readonly CompileScope? _scope;
        private readonly List<(string Name, object? Value)> _parameters = [];
        private readonly Dictionary<object, string> _parameterOf = [];
        private readonly List<Derived> _derived = [];
        private readonly Dictionary<string, Derived> _derivedByKey = new(StringComparer.Ordinal);
        private readonly Dictionary<AggregateCondition, Derived> _derivedOf = new(ReferenceEqualityComparer.Instance);

        public Writer(DatabaseProvider dialect, RuleDraft draft, DateTime now, bool allLeft, CompileScope? scope)
        {
            _scope = scope;
            _dialect = dialect;
            _sqlite = dialect == DatabaseProvider.Sqlite;
            _draft = draft;
            _now = now;
            _allLeft = allLeft;
            Collect(draft.Root, required: true);
        }

        public IReadOnlyList<(string Name, object? Value)> Parameters => _parameters;

        public string Param(object value)
        {
            if (!_parameterOf.TryGetValue(value, out var name))
            {
                name = "@" + (_scope?.ParameterPrefix ?? "p") + _parameters.Count.ToString(CultureInfo.InvariantCulture);
                _parameterOf[value] = name;
                _parameters.Add((name, value));
            }

            return name;
        }

        /// <summary>A segment's members: its rows of <c>segment_members</c>, or the relation the scope reads it from.</summary>
        public string SegmentMembers(long segmentId) =>
            _scope is not null && _scope.SegmentRelations.TryGetValue(segmentId, out var relation)
                ? $"SELECT m.user_id FROM {relation} m"
                : $"SELECT m.user_id FROM {Segments.SegmentMember.Table} m WHERE m.segment_id = {Param(segmentId)}";

        public string OwnQuery()
        {
            var joins = Joins();
            return $"SELECT u.user_id FROM users u{joins}\nWHERE {Predicate(_draft.Root, 1)}";
        }

        /// <summary>The derived tables' joins, inner ones first (the planner may start from a small one).</summary>
        public string Joins()
        {
            var sql = new StringBuilder();
            foreach (var d in _derived.OrderBy(d => d.Inner ? 0 : 1))
            {
                sql.Append(CultureInfo.InvariantCulture, $"\n{(d.Inner ? "JOIN" : "LEFT JOIN")} ({DerivedSql(d)}) {d.Alias} ON {d.Alias}.user_id = u.user_id");
            }

            return sql.ToString();
        }

        public string Predicate(ConditionNode node, int depth)
        {
            if (node is GroupCondition g)
            {
                var inner = g.Children.Count == 0
                    ? g.Logic == GroupLogic.And ? "1 = 1" : "1 = 0"
                    : string.Join($"\n{new string(' ', 2 * depth)}{(g.Logic == GroupLogic.And ? "AND" : "OR")} ", g.Children.Select(c => Predicate(c, depth + 1)));
                return g.Not ? $"NOT ({inner})" : $"({inner})";
            }

            var leaf = node switch
            {
                AttributeCondition a => Attribute(a),
                AggregateCondition a => Aggregate(a),
                SegmentCondition s => Segment(s),
                _ => throw new ArgumentException($"condition {node.Id}: unknown kind of condition."),
            };
            return !node.Not ? leaf : IsWrapped(leaf) ? "NOT " + leaf : $"NOT ({leaf})";
        }

        /// <summary>Finds the derived tables, and which may be inner-joined: those a condition on every path to a match excludes users without.</summary>
        private void Collect(ConditionNode node, bool required)
        {
            switch (node)
            {
                case GroupCondition g:
                    var childrenRequired = required && !g.Not && (g.Logic == GroupLogic.And || g.Children.Count == 1);
                    foreach (var child in g.Children)
                    {
                        Collect(child, childrenRequired);
                    }

                    break;
                case AggregateCondition a:
                    var key = Derived.Key(a);
                    if (!_derivedByKey.TryGetValue(key, out var d))
                    {
                        d = new Derived("a" + (_derived.Count + 1).ToString(CultureInfo.InvariantCulture), a);
                        _derivedByKey[key] = d;
                        _derived.Add(d);
                    }

                    d.Functions.Add(a.Function);
                    d.Inner |= !_allLeft && required && !HoldsWithoutTransactions(a);
                    _derivedOf[a] = d;
                    break;
            }
        }

        private string DerivedSql(Derived d)
        {
            var aggregates = string.Join(", ", d.Functions.Select(f => $"{AggregateSql(f)} AS v_{f.ToString().ToLowerInvariant()}"));
            return d.Source switch
            {
                TransactionSource.CreditCard => $"SELECT user_id, {aggregates} FROM credit_card_transactions{Where(d, "merchant")} GROUP BY user_id",
                TransactionSource.Upi => $"SELECT user_id, {aggregates} FROM upi_transactions{Where(d, "description")} GROUP BY user_id",
                _ => $"SELECT t.user_id, {aggregates} FROM (\n    SELECT user_id, amount FROM credit_card_transactions{Where(d, "merchant")}\n    UNION ALL\n" +
                     $"    SELECT user_id, amount FROM upi_transactions{Where(d, "description")}) t GROUP BY t.user_id",
            };
        }

        private string AggregateSql(AggregateFunction function) => function switch
        {
            // SQLite's amounts are REAL: a sum is rounded back to cents so it compares exactly (SQL Server's decimal sum already is).
            AggregateFunction.Sum => _sqlite ? SqliteRound("SUM(amount)", 2) : "SUM(amount)",
            AggregateFunction.Count => "COUNT(*)",
            AggregateFunction.Avg => _sqlite ? SqliteRound("AVG(amount)", AverageDecimals) : $"ROUND(AVG(amount), {AverageDecimals})",
            AggregateFunction.Min => "MIN(amount)",
            _ => "MAX(amount)",
        };

        /// <summary>
        /// Rounds half away from zero to <paramref name="decimals"/> places, giving the double nearest the decimal result
        /// (as ROUND does) through an integer: SQLite's ROUND formats and parses text, which costs a tenth of a large refresh.
        /// </summary>
        private static string SqliteRound(string expression, int decimals)
        {
            var scale = "1" + new string('0', decimals);
            return $"CAST({expression} * {scale} + (CASE WHEN {expression} < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER) / {scale}.0";
        }

        private string Where(Derived d, string merchantColumn)
        {
            var filters = new List<string>();
            var (from, to) = d.Window.LastDays is { } days ? (_now.AddDays(-days), _now) : (_draft.StartDate, _draft.EndDate);
            if (from is { } f)
            {
                filters.Add($"transaction_date >= {Param(DateValue(f))}");
            }

            if (to is { } t)
            {
                filters.Add($"transaction_date <= {Param(DateValue(t))}");
            }

            if (d.Categories.Count > 0)
            {
                filters.Add(InList("category", d.Categories));
            }

            if (d.Merchants.Count > 0)
            {
                filters.Add(InList(merchantColumn, d.Merchants));
            }

            return filters.Count == 0 ? "" : " WHERE " + string.Join(" AND ", filters);
        }

        private string InList(string column, IReadOnlyList<string> values) =>
            values.Count == 1 ? $"{column} = {Param(values[0])}" : $"{column} IN ({string.Join(", ", values.Select(v => Param(v)))})";

        private string Attribute(AttributeCondition a)
        {
            var field = RuleFields.Find(a.Field) ?? throw new ArgumentException($"condition {a.Id}: unknown field '{a.Field}'.");
            CheckValues(a.Id, a.Operator, a.Values);
            var column = a.Field switch
            {
                RuleFields.CityTier => "u.city_tier",
                RuleFields.CreatedAt => "u.created_at",
                RuleFields.Name => "u.name",
                RuleFields.Email => "u.email",
                RuleFields.City => "u.city",
                _ => _dialect switch
                {
                    DatabaseProvider.Sqlite => "CASE WHEN instr(u.email, '@') > 0 THEN substr(u.email, instr(u.email, '@') + 1) ELSE '' END",
                    DatabaseProvider.PostgreSql => EmailDomainColumn, // stored: computed per user it cost more than the scan
                    _ => "CASE WHEN CHARINDEX('@', u.email) > 0 THEN SUBSTRING(u.email, CHARINDEX('@', u.email) + 1, LEN(u.email)) ELSE '' END",
                },
            };
            return field.Type switch
            {
                FieldType.Number => Compare(a.Id, column, a.Operator, a.Values.Select(NumberValue).ToList()),
                FieldType.Date => DateCompare(a.Id, column, a.Operator, a.Values),
                _ => TextCompare(a.Id, column, a.Operator, a.Values, lowered: column == EmailDomainColumn),
            };
        }

        private string Aggregate(AggregateCondition a)
        {
            CheckValues(a.Id, a.Operator, a.Values);
            var d = _derivedOf[a];
            var column = $"{d.Alias}.v_{a.Function.ToString().ToLowerInvariant()}";
            var values = a.Values.Select(NumberValue).ToList();
            if (d.Inner)
            {
                return Compare(a.Id, column, a.Operator, values);
            }

            return a.Function is AggregateFunction.Sum or AggregateFunction.Count
                ? Compare(a.Id, $"COALESCE({column}, 0)", a.Operator, values)
                : $"({column} IS NOT NULL AND {Compare(a.Id, column, a.Operator, values)})";
        }

        private string Segment(SegmentCondition s)
        {
            var members = $"({SegmentMembers(s.SegmentId)})";
            return s.Operator switch
            {
                ConditionOperator.In => $"u.user_id IN {members}",
                ConditionOperator.NotIn => $"u.user_id NOT IN {members}",
                _ => throw new ArgumentException($"condition {s.Id}: segment membership is 'in' or 'not in'."),
            };
        }

        private string Compare(string id, string expression, ConditionOperator op, IReadOnlyList<object> values)
        {
            var p = values.Select(Param).ToList();
            return op switch
            {
                ConditionOperator.Eq => $"{expression} = {p[0]}",
                ConditionOperator.Ne => $"{expression} <> {p[0]}",
                ConditionOperator.Gt => $"{expression} > {p[0]}",
                ConditionOperator.Gte => $"{expression} >= {p[0]}",
                ConditionOperator.Lt => $"{expression} < {p[0]}",
                ConditionOperator.Lte => $"{expression} <= {p[0]}",
                ConditionOperator.Between => $"({expression} BETWEEN {p[0]} AND {p[1]})",
                ConditionOperator.In => $"{expression} IN ({string.Join(", ", p)})",
                ConditionOperator.NotIn => $"{expression} NOT IN ({string.Join(", ", p)})",
                _ => throw new ArgumentException($"condition {id}: '{RuleFields.Symbol(op)}' does not compare numbers."),
            };
        }

        private string DateCompare(string id, string column, ConditionOperator op, IReadOnlyList<string> values)
        {
            var days = values.Select(v => DateOnly.ParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).ToList();
            string Start(int i) => Param(DateValue(days[i]));
            string End(int i) => Param(DateValue(days[i].AddDays(1)));
            return op switch
            {
                ConditionOperator.Eq => $"({column} >= {Start(0)} AND {column} < {End(0)})",
                ConditionOperator.Ne => $"({column} < {Start(0)} OR {column} >= {End(0)})",
                ConditionOperator.Gt => $"{column} >= {End(0)}",
                ConditionOperator.Gte => $"{column} >= {Start(0)}",
                ConditionOperator.Lt => $"{column} < {Start(0)}",
                ConditionOperator.Lte => $"{column} < {End(0)}",
                ConditionOperator.Between => $"({column} >= {Start(0)} AND {column} < {End(1)})",
                _ => throw new ArgumentException($"condition {id}: '{RuleFields.Symbol(op)}' does not compare dates."),
            };
        }

        /// <summary>PostgreSQL's generated <c>users.email_domain</c>: the email after its first '@' ('' without one), lower case.</summary>
        private const string EmailDomainColumn = "u.email_domain";

        /// <param name="lowered">The column holds lower-case text already (outside SQLite): only the values are lowered.</param>
        private string TextCompare(string id, string column, ConditionOperator op, IReadOnlyList<string> values, bool lowered = false)
        {
            if (op == ConditionOperator.IsEmpty)
            {
                return $"({column} IS NULL OR {column} = '')";
            }

            if (op is ConditionOperator.Contains or ConditionOperator.StartsWith)
            {
                var pattern = Param((op == ConditionOperator.Contains ? "%" : "") + EscapeLike(values[0]) + "%");
                return _sqlite ? $"{column} LIKE {pattern} ESCAPE '\\'" : $"{(lowered ? column : $"LOWER({column})")} LIKE LOWER({pattern}) ESCAPE '\\'";
            }

            var p = values.Select(v => _sqlite ? Param(v) : $"LOWER({Param(v)})").ToList();
            var (left, suffix) = _sqlite ? (column, " COLLATE NOCASE") : (lowered ? column : $"LOWER({column})", "");
            return op switch
            {
                ConditionOperator.Eq => $"{left} = {p[0]}{suffix}",
                ConditionOperator.Ne => $"{left} <> {p[0]}{suffix}",
                ConditionOperator.In => $"{left}{suffix} IN ({string.Join(", ", p)})",
                ConditionOperator.NotIn => $"{left}{suffix} NOT IN ({string.Join(", ", p)})",
                _ => throw new ArgumentException($"condition {id}: '{RuleFields.Symbol(op)}' does not compare text."),
            };
        }

        private string EscapeLike(string value)
        {
            var escaped = new StringBuilder(value.Length + 4);
            foreach (var c in value)
            {
                if (c is '\\' or '%' or '_' || (c == '[' && _dialect == DatabaseProvider.SqlServer))
                {
                    escaped.Append('\\');
                }

                escaped.Append(c);
            }

            return escaped.ToString();
        }

        /// <summary>
        /// A whole number as a 64-bit integer everywhere (a decimal would make the server cast an integer column row by
        /// row, without statistics); others as REAL on SQLite (text would not compare with numbers), decimal elsewhere.
        /// </summary>
        private object NumberValue(string text)
        {
            var value = decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
            if (value == decimal.Truncate(value) && value is >= long.MinValue and <= long.MaxValue)
            {
                return (long)value;
            }

            return _sqlite ? (double)value : value;
        }

        /// <summary>SQLite keeps dates as text in EF Core's format, which sorts as time does; SQL Server takes datetime2, PostgreSQL timestamptz (UTC).</summary>
        private object DateValue(DateTime value) =>
            _sqlite ? value.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : DateTime.SpecifyKind(value, DateTimeKind.Utc);

        private static void CheckValues(string id, ConditionOperator op, IReadOnlyList<string> values)
        {
            var count = RuleFields.ValueCount(op);
            if ((count is { } n && values.Count != n) || (count is null && values.Count == 0))
            {
                throw new ArgumentException($"condition {id}: '{RuleFields.Symbol(op)}' got {values.Count} values.");
            }
        }

        /// <summary>Whether the whole text is one parenthesized expression (quotes skipped).</summary>
        private static bool IsWrapped(string sql)
        {
            if (!sql.StartsWith('(') || !sql.EndsWith(')'))
            {
                return false;
            }

            var depth = 0;
            var quoted = false;
            for (var i = 0; i < sql.Length; i++)
            {
                var c = sql[i];
                if (c == '\'')
                {
                    quoted = !quoted;
                }
                else if (!quoted && c == '(')
                {
                    depth++;
                }
                else if (!quoted && c == ')' && --depth == 0 && i < sql.Length - 1)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
