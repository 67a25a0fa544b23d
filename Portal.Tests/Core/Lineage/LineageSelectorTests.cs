using Portal.Core.Lineage;

namespace Portal.Tests.Core.Lineage;

public sealed class LineageSelectorTests
{
    private static IEnumerable<string> Select(string selector) =>
        LineageSelector.Parse(selector).Evaluate(LineageGraphTests.Chain()).Order(StringComparer.Ordinal);

    [Theory]
    [InlineData("s2", null, "s2", null)]
    [InlineData("+s2", int.MaxValue, "s2", null)]
    [InlineData("s2+", null, "s2", int.MaxValue)]
    [InlineData("+s2+", int.MaxValue, "s2", int.MaxValue)]
    [InlineData("2+s2+1", 2, "s2", 1)]
    [InlineData("kind:segment", null, "kind:segment", null)]
    public void Parse_OneTerm_ReadsDepthsAndPattern(string text, int? up, string pattern, int? down)
    {
        var term = Assert.Single(Assert.Single(LineageSelector.Parse(text).Union));

        Assert.Equal(new SelectorTerm(up, pattern, down), term);
    }

    [Fact]
    public void Parse_SpacesAndCommas_MakeAUnionOfIntersections()
    {
        var selector = LineageSelector.Parse("  +a,b+   c ");

        Assert.Equal(2, selector.Union.Count);
        Assert.Equal(2, selector.Union[0].Count);
        Assert.Equal("c", Assert.Single(selector.Union[1]).Pattern);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("a,")]
    [InlineData(",a")]
    [InlineData("a+b")]
    [InlineData("0+a")]
    public void Parse_Malformed_IsRefusedWithAReason(string text)
    {
        Assert.False(LineageSelector.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Evaluate_Ancestors_SelectsTheNodeAndAllItReads() =>
        Assert.Equal(["rule:r", "segment:s", "segment:s2", "segment:s3", "table:t"], Select("+s2"));

    [Fact]
    public void Evaluate_Descendants_SelectsTheNodeAndAllThatReadsIt() =>
        Assert.Equal(["adtech:x", "audience:a", "segment:s2"], Select("S2+"));

    [Fact]
    public void Evaluate_Both_SelectsTheWholePath() =>
        Assert.Equal(["adtech:x", "audience:a", "rule:r", "segment:s", "segment:s2", "segment:s3", "table:t"], Select("+s2+"));

    [Fact]
    public void Evaluate_Depth_StopsAfterThatManyGenerations() =>
        Assert.Equal(["segment:s", "segment:s2", "segment:s3"], Select("1+s2"));

    [Fact]
    public void Evaluate_SpaceIsUnion_CommaIsIntersection()
    {
        Assert.Equal(["segment:s", "segment:s3"], Select("s s3"));
        Assert.Equal(["rule:r", "segment:s", "table:t"], Select("+s2,+s"));
        Assert.Equal(["segment:s2"], Select("s+,s3+,kind:segment"));
    }

    [Fact]
    public void Evaluate_MethodsAndGlobs_MatchKindStatusDomainAndWildcards()
    {
        Assert.Equal(["segment:s2"], Select("status:stale"));
        Assert.Equal(["segment:s3"], Select("status:failed,kind:segment"));
        Assert.Equal(["segment:s", "segment:s2", "segment:s3"], Select("s*"));
        Assert.Equal(["audience:a"], Select("audience:a"));
        Assert.Empty(Select("nothing"));
    }
}
