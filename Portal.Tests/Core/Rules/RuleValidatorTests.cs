using Portal.Core.Rules;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Rules;

public sealed class RuleValidatorTests
{
    private static IReadOnlyList<RuleIssue> Check(params ConditionNode[] children) => RuleValidator.Validate(Draft("r", And("root", children)));

    [Fact]
    public void Validate_GoodNestedRule_HasNoIssues() =>
        Assert.Empty(RuleValidator.Validate(Draft("r", Nested())));

    [Theory]
    [InlineData("unknown_field", ConditionOperator.Eq, new[] { "x" }, "field", "Unknown field 'unknown_field'")]
    [InlineData(RuleFields.CityTier, ConditionOperator.Contains, new[] { "1" }, "op", "does not apply to City tier")]
    [InlineData(RuleFields.CityTier, ConditionOperator.Eq, new[] { "one" }, "values[0]", "'one' is not a number")]
    [InlineData(RuleFields.CreatedAt, ConditionOperator.Gt, new[] { "31/01/2024" }, "values[0]", "is not a date (yyyy-MM-dd)")]
    [InlineData(RuleFields.CityTier, ConditionOperator.Between, new[] { "3" }, "values", "needs 2 values")]
    [InlineData(RuleFields.CityTier, ConditionOperator.Between, new[] { "3", "1" }, "values", "must not be greater")]
    [InlineData(RuleFields.Email, ConditionOperator.In, new string[0], "values", "at least one value")]
    [InlineData(RuleFields.Email, ConditionOperator.IsEmpty, new[] { "x" }, "values", "takes no value")]
    public void Validate_BadAttribute_NamesTheConditionAndField(string field, ConditionOperator op, string[] values, string where, string message)
    {
        var issue = Assert.Single(Check(Attr("c9", field, op, values)));
        Assert.Equal(("c9", where), (issue.NodeId, issue.Field));
        Assert.Contains(message, issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DescriptionLongerThanItsColumn_IsReportedOnTheDescription()
    {
        var issue = Assert.Single(RuleValidator.Validate(Draft("r", Nested()) with { Description = new string('d', RuleValidator.MaxDescriptionLength + 1) }));
        Assert.Equal((null, "description"), (issue.NodeId, issue.Field));
        Assert.Contains("At most 2,000 characters (2,001 given)", issue.Message, StringComparison.Ordinal);
        Assert.Empty(RuleValidator.Validate(Draft("r", Nested()) with { Description = new string('d', RuleValidator.MaxDescriptionLength) }));
    }

    [Fact]
    public void Validate_EmptyNestedGroup_IsReported() =>
        Assert.Contains(Check(Attr("c1", RuleFields.CityTier, ConditionOperator.Eq, "1"), Or("g7")), i => i is { NodeId: "g7", Field: "children" });

    [Fact]
    public void Validate_NoConditionsNoSegments_IsReported() =>
        Assert.Contains(Check(), i => i is { NodeId: "root", Field: "children" });

    [Fact]
    public void Validate_AggregateWindowOutOfRange_IsReported() =>
        Assert.Contains(Check(Spend("c1", ConditionOperator.Gt, "10", lastDays: 0)), i => i is { NodeId: "c1", Field: "last_days" });

    [Fact]
    public void Validate_DuplicateIds_AreReported() =>
        Assert.Contains(Check(Attr("c1", RuleFields.CityTier, ConditionOperator.Eq, "1"), Attr("c1", RuleFields.CityTier, ConditionOperator.Eq, "2")),
            i => i is { NodeId: "c1", Field: "id" });

    [Fact]
    public void Validate_BadCronAndWindow_AreReportedOnTheirFields()
    {
        var issues = RuleValidator.Validate(Draft("r") with { Schedule = "every day", StartDate = new DateTime(2026, 2, 1), EndDate = new DateTime(2026, 1, 1) });
        Assert.Contains(issues, i => i is { NodeId: null, Field: "schedule" });
        Assert.Contains(issues, i => i is { NodeId: null, Field: "end_date" });
    }

    [Fact]
    public void Validate_OperationWithoutSegments_IsReported() =>
        Assert.Contains(RuleValidator.Validate(Draft("r") with { Operation = SetOperation.Union }), i => i.Field == "depends_on");
}
