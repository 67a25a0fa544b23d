using Portal.Core.Rules;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Rules;

public sealed class ConditionJsonTests
{
    [Fact]
    public void WriteThenRead_NestedTree_GivesTheSameTree()
    {
        var tree = Nested();
        var json = ConditionJson.Write(tree);
        Assert.Equal(tree, ConditionJson.Read(json));
        Assert.StartsWith("{\"version\":1,\"root\":{\"type\":\"group\"", json, StringComparison.Ordinal);
        Assert.Contains("\"op\":\"not_in\"", json, StringComparison.Ordinal);
        Assert.Contains("\"last_days\":30", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SeedFlatList_BecomesAnAndGroupWithAggregations()
    {
        var root = Assert.IsType<GroupCondition>(ConditionJson.Read("""[{"field": "total_spend", "operator": ">", "value": 100}, {"field": "city_tier", "operator": "=", "value": 1}]"""));
        Assert.Equal(GroupLogic.And, root.Logic);
        var spend = Assert.IsType<AggregateCondition>(root.Children[0]);
        Assert.Equal((AggregateFunction.Sum, TransactionSource.Both, ConditionOperator.Gt, "100"), (spend.Function, spend.Source, spend.Operator, spend.Values[0]));
        Assert.True(spend.Window.IsRuleWindow);
        var tier = Assert.IsType<AttributeCondition>(root.Children[1]);
        Assert.Equal(("city_tier", ConditionOperator.Eq, "1"), (tier.Field, tier.Operator, tier.Values[0]));
    }

    [Theory]
    [InlineData("""{"version": 2, "root": {}}""", "version")]
    [InlineData("""{"version": 1, "root": {"type": "group", "id": "r", "logic": "xor", "children": []}}""", "root.logic")]
    [InlineData("""{"version": 1, "root": {"type": "group", "id": "r", "logic": "and", "children": [{"type": "attribute", "id": "c1", "field": "city_tier", "op": "~", "values": []}]}}""", "root.children[0].op")]
    [InlineData("""{"version": 1, "root": {"type": "group", "id": "r", "logic": "and", "children": [{"type": "aggregate", "id": "c1", "function": "median", "source": "both", "op": "gt", "values": ["1"]}]}}""", "root.children[0].function")]
    [InlineData("""{"version": 1, "root": {"type": "widget", "id": "r"}}""", "root.type")]
    public void Read_Malformed_SaysWhere(string json, string path)
    {
        var ex = Assert.Throws<ConditionFormatException>(() => ConditionJson.Read(json));
        Assert.Equal(path, ex.Path);
    }
}
