using System.Text.RegularExpressions;
using Portal.Core.Data;
using Portal.Core.Rules;
using static Portal.Core.Data.DatabaseProvider;
using static Portal.Core.Rules.ConditionOperator;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Rules;

/// <summary>
/// The SQL the compiler writes, for both dialects, checked by meaningful fragments (with parameter names) and by the
/// readable form (with the values in place). SQL Server's SQL is generated offline: no server runs here.
/// </summary>
public sealed partial class RuleCompilerTests
{
    private static readonly DateTime Now = new(2026, 10, 15, 12, 0, 0, DateTimeKind.Utc);

    private static RuleDraft DraftOf(ConditionNode root) => new("r", null, root, null, null, null, [], null);

    private static CompiledQuery Compile(DatabaseProvider dialect, params ConditionNode[] children) =>
        RuleCompiler.Compile(DraftOf(And("root", children)), dialect, Now);

    /// <summary>The SQL without its parameter names: no value may be left in it.</summary>
    private static string Bare(string sql) => ParameterName().Replace(sql, "@");

    private static void AssertParameterized(CompiledQuery query, IEnumerable<string> values)
    {
        foreach (var value in values.Where(v => v.Length > 0))
        {
            Assert.DoesNotContain(value, Bare(query.Sql), StringComparison.OrdinalIgnoreCase);
        }
    }

    private static void AssertCompiles(DatabaseProvider dialect, ConditionNode condition, string sql, string readable, params string[] values)
    {
        var query = Compile(dialect, condition);
        Assert.Contains(sql, query.Sql, StringComparison.Ordinal);
        Assert.Contains(readable, query.Readable, StringComparison.Ordinal);
        AssertParameterized(query, values);
    }

    public static TheoryData<DatabaseProvider, ConditionOperator, string[], string, string> NumberCases()
    {
        var data = new TheoryData<DatabaseProvider, ConditionOperator, string[], string, string>();
        foreach (var d in new[] { Sqlite, SqlServer })
        {
            data.Add(d, Eq, ["13"], "u.city_tier = @p0", "u.city_tier = 13");
            data.Add(d, Ne, ["13"], "u.city_tier <> @p0", "u.city_tier <> 13");
            data.Add(d, Gt, ["13.5"], "u.city_tier > @p0", "u.city_tier > 13.5");
            data.Add(d, Gte, ["13"], "u.city_tier >= @p0", "u.city_tier >= 13");
            data.Add(d, Lt, ["13"], "u.city_tier < @p0", "u.city_tier < 13");
            data.Add(d, Lte, ["13"], "u.city_tier <= @p0", "u.city_tier <= 13");
            data.Add(d, Between, ["11", "17"], "(u.city_tier BETWEEN @p0 AND @p1)", "(u.city_tier BETWEEN 11 AND 17)");
            data.Add(d, In, ["11", "17", "19"], "u.city_tier IN (@p0, @p1, @p2)", "u.city_tier IN (11, 17, 19)");
            data.Add(d, NotIn, ["11", "17"], "u.city_tier NOT IN (@p0, @p1)", "u.city_tier NOT IN (11, 17)");
        }

        return data;
    }

    [Theory]
    [InlineData(Eq, "u.email_domain = LOWER(@p0)")]
    [InlineData(In, "u.email_domain IN (LOWER(@p0), LOWER(@p1))")]
    [InlineData(Contains, "u.email_domain LIKE LOWER(@p0) ESCAPE '\\'")]
    [InlineData(IsEmpty, "(u.email_domain IS NULL OR u.email_domain = '')")]
    public void Compile_EmailDomainOnPostgreSql_ComparesTheStoredLowerCaseColumn(ConditionOperator op, string expected)
    {
        var values = op switch { In => new[] { "gmail.com", "Yahoo.in" }, IsEmpty => [], _ => ["gmail.com"] };
        var query = Compile(PostgreSql, Attr("c1", RuleFields.EmailDomain, op, values));
        Assert.Contains("WHERE (" + expected + ")", query.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("strpos", query.Sql, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NumberCases))]
    public void Compile_CityTier_ComparesTheColumnWithParameters(DatabaseProvider dialect, ConditionOperator op, string[] values, string sql, string readable) =>
        AssertCompiles(dialect, Attr("c1", RuleFields.CityTier, op, values), sql, readable, values);

    public static TheoryData<DatabaseProvider, ConditionOperator, string[], string, string> DateCases()
    {
        var data = new TheoryData<DatabaseProvider, ConditionOperator, string[], string, string>();
        foreach (var d in new[] { Sqlite, SqlServer })
        {
            data.Add(d, Eq, ["2031-07-19"], "(u.created_at >= @p0 AND u.created_at < @p1)",
                "(u.created_at >= '2031-07-19 00:00:00' AND u.created_at < '2031-07-20 00:00:00')");
            data.Add(d, Ne, ["2031-07-19"], "(u.created_at < @p0 OR u.created_at >= @p1)",
                "(u.created_at < '2031-07-19 00:00:00' OR u.created_at >= '2031-07-20 00:00:00')");
            data.Add(d, Gt, ["2031-07-19"], "u.created_at >= @p0", "u.created_at >= '2031-07-20 00:00:00'");
            data.Add(d, Gte, ["2031-07-19"], "u.created_at >= @p0", "u.created_at >= '2031-07-19 00:00:00'");
            data.Add(d, Lt, ["2031-07-19"], "u.created_at < @p0", "u.created_at < '2031-07-19 00:00:00'");
            data.Add(d, Lte, ["2031-07-19"], "u.created_at < @p0", "u.created_at < '2031-07-20 00:00:00'");
            data.Add(d, Between, ["2031-07-19", "2031-08-02"], "(u.created_at >= @p0 AND u.created_at < @p1)",
                "(u.created_at >= '2031-07-19 00:00:00' AND u.created_at < '2031-08-03 00:00:00')");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DateCases))]
    public void Compile_CreatedAt_ComparesWholeDaysInclusively(DatabaseProvider dialect, ConditionOperator op, string[] values, string sql, string readable) =>
        AssertCompiles(dialect, Attr("c1", RuleFields.CreatedAt, op, values), sql, readable, values);

    public static TheoryData<DatabaseProvider, ConditionOperator, string[], string, string> TextCases() => new()
    {
        { Sqlite, Eq, ["Zyxw"], "u.name = @p0 COLLATE NOCASE", "u.name = 'Zyxw' COLLATE NOCASE" },
        { Sqlite, Ne, ["Zyxw"], "u.name <> @p0 COLLATE NOCASE", "u.name <> 'Zyxw' COLLATE NOCASE" },
        { Sqlite, Contains, ["Zy%x_w\\"], "u.name LIKE @p0 ESCAPE '\\'", "u.name LIKE '%Zy\\%x\\_w\\\\%' ESCAPE '\\'" },
        { Sqlite, StartsWith, ["Zy'xw"], "u.name LIKE @p0 ESCAPE '\\'", "u.name LIKE 'Zy''xw%' ESCAPE '\\'" },
        { Sqlite, In, ["Zyxw", "Qrst"], "u.name COLLATE NOCASE IN (@p0, @p1)", "u.name COLLATE NOCASE IN ('Zyxw', 'Qrst')" },
        { Sqlite, NotIn, ["Zyxw", "Qrst"], "u.name COLLATE NOCASE NOT IN (@p0, @p1)", "u.name COLLATE NOCASE NOT IN ('Zyxw', 'Qrst')" },
        { Sqlite, IsEmpty, [], "(u.name IS NULL OR u.name = '')", "(u.name IS NULL OR u.name = '')" },
        { SqlServer, Eq, ["Zyxw"], "LOWER(u.name) = LOWER(@p0)", "LOWER(u.name) = LOWER('Zyxw')" },
        { SqlServer, Ne, ["Zyxw"], "LOWER(u.name) <> LOWER(@p0)", "LOWER(u.name) <> LOWER('Zyxw')" },
        { SqlServer, Contains, ["Zy%x_w[\\"], "LOWER(u.name) LIKE LOWER(@p0) ESCAPE '\\'", "LOWER(u.name) LIKE LOWER('%Zy\\%x\\_w\\[\\\\%') ESCAPE '\\'" },
        { SqlServer, StartsWith, ["Zy'xw"], "LOWER(u.name) LIKE LOWER(@p0) ESCAPE '\\'", "LOWER(u.name) LIKE LOWER('Zy''xw%') ESCAPE '\\'" },
        { SqlServer, In, ["Zyxw", "Qrst"], "LOWER(u.name) IN (LOWER(@p0), LOWER(@p1))", "LOWER(u.name) IN (LOWER('Zyxw'), LOWER('Qrst'))" },
        { SqlServer, NotIn, ["Zyxw", "Qrst"], "LOWER(u.name) NOT IN (LOWER(@p0), LOWER(@p1))", "LOWER(u.name) NOT IN (LOWER('Zyxw'), LOWER('Qrst'))" },
        { SqlServer, IsEmpty, [], "(u.name IS NULL OR u.name = '')", "(u.name IS NULL OR u.name = '')" },
    };

    [Theory]
    [MemberData(nameof(TextCases))]
    public void Compile_TextOperators_IgnoreCaseAndEscapeLikePatterns(DatabaseProvider dialect, ConditionOperator op, string[] values, string sql, string readable) =>
        AssertCompiles(dialect, Attr("c1", RuleFields.Name, op, values), sql, readable, values);

    public static TheoryData<DatabaseProvider, string, string> TextFieldCases() => new()
    {
        { Sqlite, RuleFields.City, "u.city = @p0 COLLATE NOCASE" },
        { Sqlite, RuleFields.Email, "u.email = @p0 COLLATE NOCASE" },
        { Sqlite, RuleFields.EmailDomain, "CASE WHEN instr(u.email, '@') > 0 THEN substr(u.email, instr(u.email, '@') + 1) ELSE '' END = @p0 COLLATE NOCASE" },
        { SqlServer, RuleFields.City, "LOWER(u.city) = LOWER(@p0)" },
        { SqlServer, RuleFields.Email, "LOWER(u.email) = LOWER(@p0)" },
        { SqlServer, RuleFields.EmailDomain, "LOWER(CASE WHEN CHARINDEX('@', u.email) > 0 THEN SUBSTRING(u.email, CHARINDEX('@', u.email) + 1, LEN(u.email)) ELSE '' END) = LOWER(@p0)" },
    };

    [Theory]
    [MemberData(nameof(TextFieldCases))]
    public void Compile_EachTextField_ReadsItsColumn(DatabaseProvider dialect, string field, string sql) =>
        AssertCompiles(dialect, Attr("c1", field, Eq, "zyxw.example"), sql, "'zyxw.example'", "zyxw.example");

    public static TheoryData<DatabaseProvider, AggregateFunction, string> FunctionCases() => new()
    {
        { Sqlite, AggregateFunction.Sum, "CAST(SUM(amount) * 100 + (CASE WHEN SUM(amount) < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER) / 100.0 AS v_sum" },
        { Sqlite, AggregateFunction.Count, "COUNT(*) AS v_count" },
        { Sqlite, AggregateFunction.Avg, "CAST(AVG(amount) * 1000000 + (CASE WHEN AVG(amount) < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER) / 1000000.0 AS v_avg" },
        { Sqlite, AggregateFunction.Min, "MIN(amount) AS v_min" },
        { Sqlite, AggregateFunction.Max, "MAX(amount) AS v_max" },
        { SqlServer, AggregateFunction.Sum, "SUM(amount) AS v_sum" },
        { SqlServer, AggregateFunction.Count, "COUNT(*) AS v_count" },
        { SqlServer, AggregateFunction.Avg, "ROUND(AVG(amount), 6) AS v_avg" },
        { SqlServer, AggregateFunction.Min, "MIN(amount) AS v_min" },
        { SqlServer, AggregateFunction.Max, "MAX(amount) AS v_max" },
    };

    [Theory]
    [MemberData(nameof(FunctionCases))]
    public void Compile_EachAggregation_IsADerivedTableGroupedByUser(DatabaseProvider dialect, AggregateFunction function, string column)
    {
        var condition = new AggregateCondition("c1", false, function, TransactionSource.CreditCard, ["Travel"], [], AggregateWindow.Days(90), Gt, ["4321.5"]);
        var query = Compile(dialect, condition);
        Assert.Contains($"JOIN (SELECT user_id, {column} FROM credit_card_transactions WHERE transaction_date >= @p0 AND transaction_date <= @p1 AND category = @p2 GROUP BY user_id) a1 ON a1.user_id = u.user_id", query.Sql, StringComparison.Ordinal);
        Assert.Contains($"WHERE (a1.v_{function.ToString().ToLowerInvariant()} > @p3)", query.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("LEFT JOIN", query.Sql, StringComparison.Ordinal);
        Assert.Contains("transaction_date >= '2026-07-17 12:00:00' AND transaction_date <= '2026-10-15 12:00:00' AND category = 'Travel'", query.Readable, StringComparison.Ordinal);
        AssertParameterized(query, ["4321.5", "Travel", "2026-07-17"]);
    }

    public static TheoryData<DatabaseProvider, TransactionSource, string> SourceCases()
    {
        var data = new TheoryData<DatabaseProvider, TransactionSource, string>();
        foreach (var d in new[] { Sqlite, SqlServer })
        {
            data.Add(d, TransactionSource.CreditCard, "SELECT user_id, COUNT(*) AS v_count FROM credit_card_transactions WHERE category IN (@p0, @p1) AND merchant = @p2 GROUP BY user_id");
            data.Add(d, TransactionSource.Upi, "SELECT user_id, COUNT(*) AS v_count FROM upi_transactions WHERE category IN (@p0, @p1) AND description = @p2 GROUP BY user_id");
            data.Add(d, TransactionSource.Both, "SELECT t.user_id, COUNT(*) AS v_count FROM (\n" +
                "    SELECT user_id, amount FROM credit_card_transactions WHERE category IN (@p0, @p1) AND merchant = @p2\n" +
                "    UNION ALL\n" +
                "    SELECT user_id, amount FROM upi_transactions WHERE category IN (@p0, @p1) AND description = @p2) t GROUP BY t.user_id");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SourceCases))]
    public void Compile_EachSource_ReadsItsTablesWithCategoryAndMerchantFilters(DatabaseProvider dialect, TransactionSource source, string derived)
    {
        var condition = new AggregateCondition("c1", false, AggregateFunction.Count, source, ["Travel", "Dining"], ["Qrst Air"], AggregateWindow.Rule, Gte, ["3"]);
        var query = Compile(dialect, condition);
        Assert.Contains(derived, query.Sql, StringComparison.Ordinal);
        Assert.Contains("IN ('Dining', 'Travel')", query.Readable, StringComparison.Ordinal);
        AssertParameterized(query, ["Travel", "Dining", "Qrst Air"]);
    }

    public static TheoryData<DatabaseProvider, ConditionOperator, string[], string, string> AggregateOperatorCases()
    {
        var data = new TheoryData<DatabaseProvider, ConditionOperator, string[], string, string>();
        foreach (var d in new[] { Sqlite, SqlServer })
        {
            // Under OR nothing is required, so the aggregate is left-joined: sums of missing users are 0, averages are absent.
            data.Add(d, Eq, ["4321.5"], "COALESCE(a1.v_sum, 0) = @p0", "(a2.v_max IS NOT NULL AND a2.v_max = @p0)");
            data.Add(d, Ne, ["4321.5"], "COALESCE(a1.v_sum, 0) <> @p0", "(a2.v_max IS NOT NULL AND a2.v_max <> @p0)");
            data.Add(d, Gt, ["4321.5"], "COALESCE(a1.v_sum, 0) > @p0", "(a2.v_max IS NOT NULL AND a2.v_max > @p0)");
            data.Add(d, Gte, ["4321.5"], "COALESCE(a1.v_sum, 0) >= @p0", "(a2.v_max IS NOT NULL AND a2.v_max >= @p0)");
            data.Add(d, Lt, ["4321.5"], "COALESCE(a1.v_sum, 0) < @p0", "(a2.v_max IS NOT NULL AND a2.v_max < @p0)");
            data.Add(d, Lte, ["4321.5"], "COALESCE(a1.v_sum, 0) <= @p0", "(a2.v_max IS NOT NULL AND a2.v_max <= @p0)");
            data.Add(d, Between, ["4321.5", "9876.25"], "(COALESCE(a1.v_sum, 0) BETWEEN @p0 AND @p1)", "(a2.v_max IS NOT NULL AND (a2.v_max BETWEEN @p0 AND @p1))");
            data.Add(d, In, ["4321.5", "9876.25"], "COALESCE(a1.v_sum, 0) IN (@p0, @p1)", "(a2.v_max IS NOT NULL AND a2.v_max IN (@p0, @p1))");
            data.Add(d, NotIn, ["4321.5", "9876.25"], "COALESCE(a1.v_sum, 0) NOT IN (@p0, @p1)", "(a2.v_max IS NOT NULL AND a2.v_max NOT IN (@p0, @p1))");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AggregateOperatorCases))]
    public void Compile_AggregateOperators_AreTwoValuedForUsersWithoutTransactions(DatabaseProvider dialect, ConditionOperator op, string[] values,
        string sum, string max)
    {
        var root = Or("root",
            new AggregateCondition("c1", false, AggregateFunction.Sum, TransactionSource.Upi, [], [], AggregateWindow.Rule, op, values),
            new AggregateCondition("c2", false, AggregateFunction.Max, TransactionSource.CreditCard, [], [], AggregateWindow.Rule, op, values));
        var query = RuleCompiler.Compile(DraftOf(root), dialect, Now);
        Assert.Contains(sum, query.Sql, StringComparison.Ordinal);
        Assert.Contains(max, query.Sql, StringComparison.Ordinal);
        Assert.Contains("LEFT JOIN (SELECT user_id, ", query.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("\nJOIN", query.Sql, StringComparison.Ordinal);
        AssertParameterized(query, values);
    }

    public static TheoryData<string, ConditionNode, bool> JoinCases() => new()
    {
        { "sum > 100", Sum(Gt, "100"), true },
        { "sum < 100", Sum(Lt, "100"), false },
        { "NOT sum > 100", Sum(Gt, "100") with { Not = true }, false },
        { "NOT sum < 100", Sum(Lt, "100") with { Not = true }, true },
        { "count = 0", new AggregateCondition("c1", false, AggregateFunction.Count, TransactionSource.Both, [], [], AggregateWindow.Rule, Eq, ["0"]), false },
        { "sum between 0 and 5", Sum(Between, "0", "5"), false },
        { "avg > 1", new AggregateCondition("c1", false, AggregateFunction.Avg, TransactionSource.Both, [], [], AggregateWindow.Rule, Gt, ["1"]), true },
        { "NOT avg > 1", new AggregateCondition("c1", true, AggregateFunction.Avg, TransactionSource.Both, [], [], AggregateWindow.Rule, Gt, ["1"]), false },
        { "sum > 100 in an OR", Or("g1", Sum(Gt, "100"), Attr("c2", RuleFields.CityTier, Eq, "1")), false },
        { "sum > 100 in a nested AND", And("g1", Sum(Gt, "100"), Attr("c2", RuleFields.CityTier, Eq, "1")), true },
        { "sum > 100 in a NOT AND", And("g1", Sum(Gt, "100"), Attr("c2", RuleFields.CityTier, Eq, "1")) with { Not = true }, false },
    };

    private static AggregateCondition Sum(ConditionOperator op, params string[] values) =>
        new("c1", false, AggregateFunction.Sum, TransactionSource.Both, [], [], AggregateWindow.Rule, op, values);

    [Theory]
    [MemberData(nameof(JoinCases))]
    public void Compile_AggregateEveryMatchNeeds_IsInnerJoinedOthersLeft(string what, ConditionNode condition, bool inner)
    {
        var query = Compile(Sqlite, condition, Attr("c9", RuleFields.CityTier, Gte, "1"));
        Assert.True(query.Sql.Contains("\nJOIN (", StringComparison.Ordinal) == inner, $"{what}: expected {(inner ? "an inner" : "a left")} join in\n{query.Sql}");
        Assert.True(query.Sql.Contains("\nLEFT JOIN (", StringComparison.Ordinal) == !inner, what);
    }

    [Fact]
    public void Compile_SameTransactionFilter_SharesOneDerivedTable()
    {
        var query = Compile(Sqlite,
            new AggregateCondition("c1", false, AggregateFunction.Sum, TransactionSource.Both, ["Travel", "Dining"], [], AggregateWindow.Days(30), Gt, ["100"]),
            new AggregateCondition("c2", false, AggregateFunction.Count, TransactionSource.Both, ["Dining", "Travel"], [], AggregateWindow.Days(30), Lt, ["9"]));
        Assert.Single(Regex.Matches(query.Sql, "GROUP BY"));
        Assert.Contains("SELECT t.user_id, CAST(SUM(amount) * 100 + (CASE WHEN SUM(amount) < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER) / 100.0 AS v_sum, COUNT(*) AS v_count FROM (", query.Sql, StringComparison.Ordinal);
        Assert.Contains("a1.v_sum > @", query.Sql, StringComparison.Ordinal);
        Assert.Contains("a1.v_count < @", query.Sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Sqlite)]
    [InlineData(SqlServer)]
    public void Compile_Windows_LastDaysEndsNowRuleWindowIsInclusive(DatabaseProvider dialect)
    {
        var condition = new AggregateCondition("c1", false, AggregateFunction.Sum, TransactionSource.CreditCard, [], [], AggregateWindow.Days(30), Gt, ["1"]);
        var lastDays = Compile(dialect, condition);
        Assert.Contains("transaction_date >= '2026-09-15 12:00:00' AND transaction_date <= '2026-10-15 12:00:00'", lastDays.Readable, StringComparison.Ordinal);

        var window = DraftOf(And("root", condition with { Window = AggregateWindow.Rule })) with
        {
            StartDate = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            EndDate = new DateTime(2025, 12, 31, 23, 59, 59, DateTimeKind.Utc),
        };
        var ruleWindow = RuleCompiler.Compile(window, dialect, Now);
        Assert.Contains("WHERE transaction_date >= @p0 AND transaction_date <= @p1 GROUP BY", ruleWindow.Sql, StringComparison.Ordinal);
        Assert.Contains("transaction_date >= '2025-01-01 00:00:00' AND transaction_date <= '2025-12-31 23:59:59'", ruleWindow.Readable, StringComparison.Ordinal);

        var open = RuleCompiler.Compile(DraftOf(And("root", condition with { Window = AggregateWindow.Rule })), dialect, Now);
        Assert.Contains("FROM credit_card_transactions GROUP BY user_id", open.Sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Sqlite, In, "u.user_id IN (SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p0)")]
    [InlineData(Sqlite, NotIn, "u.user_id NOT IN (SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p0)")]
    [InlineData(SqlServer, In, "u.user_id IN (SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p0)")]
    [InlineData(SqlServer, NotIn, "u.user_id NOT IN (SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p0)")]
    public void Compile_SegmentMembership_IsASubqueryOnSegmentMembers(DatabaseProvider dialect, ConditionOperator op, string sql) =>
        AssertCompiles(dialect, new SegmentCondition("c1", false, 4242, op), sql, "m.segment_id = 4242", "4242");

    [Theory]
    [InlineData(Sqlite, SetOperation.Intersection, "INTERSECT")]
    [InlineData(Sqlite, SetOperation.Union, "UNION")]
    [InlineData(Sqlite, SetOperation.Difference, "EXCEPT")]
    [InlineData(SqlServer, SetOperation.Intersection, "INTERSECT")]
    [InlineData(SqlServer, SetOperation.Union, "UNION")]
    [InlineData(SqlServer, SetOperation.Difference, "EXCEPT")]
    public void Compile_SetOperation_CombinesDependenciesInOrderThenOwnConditions(DatabaseProvider dialect, SetOperation operation, string keyword)
    {
        var segments = new Dictionary<long, long> { [31] = 4131, [32] = 4132 };
        var draft = DraftOf(And("root", Attr("c1", RuleFields.CityTier, Eq, "13"))) with { DependsOn = [32, 31], Operation = operation };
        var query = RuleCompiler.Compile(draft, dialect, Now, segments);
        Assert.StartsWith(
            $"SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p0\n{keyword}\nSELECT m.user_id FROM segment_members m WHERE m.segment_id = @p1\n{keyword}\nSELECT u.user_id FROM users u\nWHERE (u.city_tier = @p2)",
            query.Sql, StringComparison.Ordinal);
        Assert.Contains("m.segment_id = 4132\n", query.Readable, StringComparison.Ordinal);
        AssertParameterized(query, ["4131", "4132"]);

        var only = RuleCompiler.Compile(DraftOf(And("root")) with { DependsOn = [31, 32], Operation = operation }, dialect, Now, segments);
        Assert.Equal($"SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p0\n{keyword}\nSELECT m.user_id FROM segment_members m WHERE m.segment_id = @p1", only.Sql);
    }

    [Fact]
    public void Compile_DependencyWithoutSegment_IsRefused()
    {
        var draft = DraftOf(And("root")) with { DependsOn = [31, 32], Operation = SetOperation.Union };
        var ex = Assert.Throws<ArgumentException>(() => RuleCompiler.Compile(draft, Sqlite, Now, new Dictionary<long, long> { [31] = 1 }));
        Assert.Contains("Rule 32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_SqliteValues_AreBoundAsNumbersAndEfDateText()
    {
        var query = Compile(Sqlite, Attr("c1", RuleFields.CityTier, In, "2", "2.5"), Attr("c2", RuleFields.CreatedAt, Eq, "2024-01-31"));
        Assert.Equal([2L, 2.5, "2024-01-31 00:00:00", "2024-02-01 00:00:00"], query.Parameters.Select(p => p.Value));
    }

    [Theory]
    [InlineData(SqlServer)]
    [InlineData(PostgreSql)]
    public void Compile_ServerValues_AreIntegersForWholeNumbersDecimalsOtherwiseAndUtcDateTimes(DatabaseProvider dialect)
    {
        // A whole number as a decimal would make the server cast the integer column row by row (and misjudge the rows).
        var query = Compile(dialect, Attr("c1", RuleFields.CityTier, In, "2", "2.5"), Attr("c2", RuleFields.CreatedAt, Eq, "2024-01-31"));
        Assert.Equal([2L, 2.5m, new DateTime(2024, 1, 31, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 2, 1, 0, 0, 0, DateTimeKind.Utc)],
            query.Parameters.Select(p => p.Value));
    }

    [Theory]
    [InlineData(Sqlite)]
    [InlineData(SqlServer)]
    public void Compile_Breakdown_CountsEveryTopLevelBlockInOnePassWithoutSubqueriesInAggregates(DatabaseProvider dialect)
    {
        var draft = DraftOf(And("root",
            Attr("c1", RuleFields.CityTier, Eq, "1"),
            new AggregateCondition("c2", false, AggregateFunction.Sum, TransactionSource.CreditCard, [], [], AggregateWindow.Days(90), Gt, ["5000"]),
            new SegmentCondition("c3", false, 4242, In)));
        var query = RuleCompiler.CompileBreakdown(draft, dialect, Now);
        Assert.StartsWith("SELECT COUNT(*) AS n_users, SUM(f_rule) AS n_rule, SUM(f_0) AS n_0, SUM(f_1) AS n_1, SUM(f_2) AS n_2\nFROM (SELECT CASE WHEN (u.city_tier = @p2\n",
            query.Sql, StringComparison.Ordinal);
        Assert.Contains("    CASE WHEN u.city_tier = @p2 THEN 1 ELSE 0 END AS f_0,\n", query.Sql, StringComparison.Ordinal);
        Assert.Contains("    CASE WHEN COALESCE(a1.v_sum, 0) > @p3 THEN 1 ELSE 0 END AS f_1,\n", query.Sql, StringComparison.Ordinal);
        Assert.Contains("    CASE WHEN u.user_id IN (SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p4) THEN 1 ELSE 0 END AS f_2\n", query.Sql, StringComparison.Ordinal);
        Assert.Contains("\n  FROM users u\n  LEFT JOIN (", query.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("SUM(CASE", query.Sql, StringComparison.Ordinal);
        AssertParameterized(query, ["5000", "4242"]);
    }

    /// <summary>A whole rule, verbatim: nested groups, NOT, every kind of condition, a set operation.</summary>
    private static RuleDraft Everything() => new("everything", null, And("root",
            Attr("c1", RuleFields.CityTier, Eq, "1"),
            Attr("c2", RuleFields.EmailDomain, Eq, "gmail.com"),
            new AggregateCondition("c3", false, AggregateFunction.Sum, TransactionSource.CreditCard, ["Travel"], [], AggregateWindow.Days(90), Gt, ["5000"]),
            Or("g1",
                Attr("c4", RuleFields.Name, Contains, "50%_off"),
                new AggregateCondition("c5", false, AggregateFunction.Avg, TransactionSource.Both, ["Dining", "Travel"], ["Swiggy"], AggregateWindow.Rule, Between, ["100", "250.5"]),
                new SegmentCondition("c6", false, 7, NotIn),
                Attr("c7", RuleFields.CreatedAt, Eq, "2024-01-31") with { Not = true }) with { Not = true }),
        null, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, [3, 4], SetOperation.Difference);

    [Fact]
    public void Compile_WholeRuleOnSqlite_MatchesSnapshot()
    {
        var query = RuleCompiler.Compile(Everything(), Sqlite, Now, new Dictionary<long, long> { [3] = 13, [4] = 14 });
        Assert.Equal("""
            SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p0
            EXCEPT
            SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p1
            EXCEPT
            SELECT u.user_id FROM users u
            JOIN (SELECT user_id, CAST(SUM(amount) * 100 + (CASE WHEN SUM(amount) < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER) / 100.0 AS v_sum FROM credit_card_transactions WHERE transaction_date >= @p2 AND transaction_date <= @p3 AND category = @p4 GROUP BY user_id) a1 ON a1.user_id = u.user_id
            LEFT JOIN (SELECT t.user_id, CAST(AVG(amount) * 1000000 + (CASE WHEN AVG(amount) < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER) / 1000000.0 AS v_avg FROM (
                SELECT user_id, amount FROM credit_card_transactions WHERE transaction_date >= @p5 AND category IN (@p6, @p4) AND merchant = @p7
                UNION ALL
                SELECT user_id, amount FROM upi_transactions WHERE transaction_date >= @p5 AND category IN (@p6, @p4) AND description = @p7) t GROUP BY t.user_id) a2 ON a2.user_id = u.user_id
            WHERE (u.city_tier = @p8
              AND CASE WHEN instr(u.email, '@') > 0 THEN substr(u.email, instr(u.email, '@') + 1) ELSE '' END = @p9 COLLATE NOCASE
              AND a1.v_sum > @p10
              AND NOT (u.name LIKE @p11 ESCAPE '\'
                OR (a2.v_avg IS NOT NULL AND (a2.v_avg BETWEEN @p12 AND @p13))
                OR u.user_id NOT IN (SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p14)
                OR NOT (u.created_at >= @p15 AND u.created_at < @p16)))
            """, query.Sql);
        Assert.Equal(
            "@p0=13 @p1=14 @p2='2026-07-17 12:00:00' @p3='2026-10-15 12:00:00' @p4='Travel' @p5='2025-01-01 00:00:00' @p6='Dining' @p7='Swiggy' " +
            "@p8=1 @p9='gmail.com' @p10=5000 @p11='%50\\%\\_off%' @p12=100 @p13=250.5 @p14=7 @p15='2024-01-31 00:00:00' @p16='2024-02-01 00:00:00'",
            string.Join(" ", query.Parameters.Select(p => $"{p.Name}={CompiledQuery.Literal(p.Value)}")));
    }

    [Fact]
    public void Compile_WholeRuleOnSqlServer_MatchesSnapshot()
    {
        var query = RuleCompiler.Compile(Everything(), SqlServer, Now, new Dictionary<long, long> { [3] = 13, [4] = 14 });
        Assert.Equal("""
            SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p0
            EXCEPT
            SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p1
            EXCEPT
            SELECT u.user_id FROM users u
            JOIN (SELECT user_id, SUM(amount) AS v_sum FROM credit_card_transactions WHERE transaction_date >= @p2 AND transaction_date <= @p3 AND category = @p4 GROUP BY user_id) a1 ON a1.user_id = u.user_id
            LEFT JOIN (SELECT t.user_id, ROUND(AVG(amount), 6) AS v_avg FROM (
                SELECT user_id, amount FROM credit_card_transactions WHERE transaction_date >= @p5 AND category IN (@p6, @p4) AND merchant = @p7
                UNION ALL
                SELECT user_id, amount FROM upi_transactions WHERE transaction_date >= @p5 AND category IN (@p6, @p4) AND description = @p7) t GROUP BY t.user_id) a2 ON a2.user_id = u.user_id
            WHERE (u.city_tier = @p8
              AND LOWER(CASE WHEN CHARINDEX('@', u.email) > 0 THEN SUBSTRING(u.email, CHARINDEX('@', u.email) + 1, LEN(u.email)) ELSE '' END) = LOWER(@p9)
              AND a1.v_sum > @p10
              AND NOT (LOWER(u.name) LIKE LOWER(@p11) ESCAPE '\'
                OR (a2.v_avg IS NOT NULL AND (a2.v_avg BETWEEN @p12 AND @p13))
                OR u.user_id NOT IN (SELECT m.user_id FROM segment_members m WHERE m.segment_id = @p14)
                OR NOT (u.created_at >= @p15 AND u.created_at < @p16)))
            """, query.Sql);
        Assert.IsType<DateTime>(query.Parameters[2].Value);
        Assert.IsType<long>(query.Parameters[10].Value); // 5000
        Assert.IsType<decimal>(query.Parameters[13].Value); // 250.5
        AssertParameterized(query, ["gmail.com", "5000", "Travel", "Swiggy", "50%", "250.5", "2024-01-31"]);
    }

    [Fact]
    public void Readable_ShowsValuesAsLiterals_SqlKeepsOnlyNames()
    {
        var query = Compile(Sqlite, Attr("c1", RuleFields.City, Eq, "O'Reilly"));
        Assert.Contains("u.city = @p0 COLLATE NOCASE", query.Sql, StringComparison.Ordinal);
        Assert.Contains("u.city = 'O''Reilly' COLLATE NOCASE", query.Readable, StringComparison.Ordinal);
        Assert.DoesNotContain("Reilly", query.Sql, StringComparison.Ordinal);
    }

    [GeneratedRegex("@[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ParameterName();
}
