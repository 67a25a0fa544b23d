using System.Diagnostics;
using System.Text;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;
using Xunit.Abstractions;

namespace Portal.Tests.Core.Audiences;

/// <summary>
/// State files built to exhaust the YAML reader: each is answered with an issue naming where it stops, and the test host
/// lives on (a stack overflow would end it). The time each answer took is written to the test output.
/// </summary>
public sealed class HostileYamlTests(ITestOutputHelper output)
{
    private const string Head = "demo_audience:\n  description: d\n";

    private StateIssue ParseRefused(string what, string yaml)
    {
        var clock = Stopwatch.StartNew();
        var result = AudienceStateParser.Parse("demo_audience.yml", yaml);
        clock.Stop();
        output.WriteLine($"{what}: answered in {clock.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Null(result.State);
        return Assert.Single(result.Issues);
    }

    /// <summary>After <paramref name="head"/>, levels each an anchored list of ten aliases of the level below: 10^levels nodes once expanded.</summary>
    internal static string Laughs(string head, int levels)
    {
        var yaml = new StringBuilder(head);
        yaml.Append("  l0: &l0 [").AppendJoin(", ", Enumerable.Repeat("lol", 10)).Append("]\n");
        for (var i = 1; i < levels; i++)
        {
            yaml.Append($"  l{i}: &l{i} [").AppendJoin(", ", Enumerable.Repeat($"*l{i - 1}", 10)).Append("]\n");
        }

        return yaml.ToString();
    }

    [Fact]
    public void Parse_BillionLaughs_RefusedWhereTheAliasesExpandTooFar()
    {
        var issue = ParseRefused("billion laughs", Laughs(Head, 9));

        Assert.Equal("demo_audience.yml", issue.File);
        Assert.Equal(6, issue.Line); // l3: its aliases of l2 (1,111 nodes each) pass 10,000
        Assert.True(issue.Column > 1);
        Assert.Contains("repeat more than 10,000 nodes", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasAsKeyBomb_Refused()
    {
        var issue = ParseRefused("alias-as-key bomb", Laughs(Head, 9) + "  ? *l8\n  : boom\n");

        Assert.Equal(6, issue.Line);
        Assert.Contains("repeat more than 10,000 nodes", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  ? *a\n  : boom\n", "not an alias (*a)")]
    [InlineData("  ? [*a, *a]\n  : boom\n", "not a mapping or sequence")]
    public void Parse_AliasOrCollectionAsKey_RefusedAtTheKey(string key, string expected)
    {
        var issue = ParseRefused("alias as key", Head + "  small: &a [x, y]\n" + key);

        Assert.Equal(4, issue.Line);
        Assert.Equal(5, issue.Column);
        Assert.Contains("A mapping key must be a plain value", issue.Message, StringComparison.Ordinal);
        Assert.Contains(expected, issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FlowNesting10000Deep_RefusedAtTheLevelPastTheLimit()
    {
        var issue = ParseRefused("10,000-deep flow nesting", Head + "  deep: " + new string('[', 10_000) + new string(']', 10_000) + "\n");

        Assert.Equal(3, issue.Line);
        Assert.Equal(9 + 62, issue.Column); // the 63rd '[': with the file's two mappings, the 65th level
        Assert.Contains("Nesting deeper than 64 levels", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BlockNesting10000Deep_RefusedAtTheLevelPastTheLimit()
    {
        var issue = ParseRefused("10,000-deep block nesting", Head + "  deep:\n    " + string.Concat(Enumerable.Repeat("- ", 10_000)) + "leaf\n");

        Assert.Equal(4, issue.Line);
        Assert.Contains("Nesting deeper than 64 levels", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FiftyMiBText_RefusedWhereItPassesTheSizeLimit()
    {
        var issue = ParseRefused("50 MiB text", "demo_audience:\n  description: " + new string('x', 50 * 1024 * 1024) + "\n");

        Assert.Equal("(file)", issue.Field);
        Assert.Equal(2, issue.Line);
        Assert.Equal(1_048_576 + 1 - 15, issue.Column); // line 1 is 15 bytes
        Assert.Contains("at most 1,048,576 bytes (Bucket:MaxStateFileBytes)", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MoreThan100Aliases_RefusedAtThe101st()
    {
        var issue = ParseRefused("101 aliases", Head + "  one: &a x\n  many: [" + string.Join(", ", Enumerable.Repeat("*a", 101)) + "]\n");

        Assert.Equal(4, issue.Line);
        Assert.Contains("More than 100 aliases", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FewSmallAliasesAndModestNesting_StayValid()
    {
        var yaml = SeedStates.Stage1Basic + "\n  defaults: &d {a: [1, 2], b: {c: [[[[x]]]]}}\n  copy: *d\n";

        var result = AudienceStateParser.Parse("demo_audience.yml", yaml);

        Assert.True(result.IsValid, string.Join("; ", result.Issues));
    }

    [Fact]
    public async Task Catalog_FiftyMiBStateFile_ReportedWithoutReadingIt()
    {
        using var folder = new TestFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "state"));
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "state", "big.yml"), "big:\n  description: " + new string('x', 50 * 1024 * 1024));
        var bucket = new UnlimitedReadsRefused(folder.Path);

        var clock = Stopwatch.StartNew();
        var entry = Assert.Single(await new AudienceCatalog(bucket).ScanAsync().ToListAsync());
        output.WriteLine($"50 MiB file in the catalog: answered in {clock.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Null(entry.State);
        var issue = Assert.Single(entry.Issues);
        Assert.Equal(("big.yml", 1, 1, "(file)"), (issue.File, issue.Line, issue.Column, issue.Field));
        Assert.Contains("52,428,820 bytes", issue.Message, StringComparison.Ordinal);
        Assert.Contains("at most 1,048,576 bytes", issue.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BucketObjectTooLargeException>(() =>
            new AudienceEditor(bucket, null!, TimeProvider.System).OpenAsync("big"));
    }

    /// <summary>A bucket on which reading a whole object without a size limit fails the test.</summary>
    private sealed class UnlimitedReadsRefused(string path) : LocalBucketDecorator(path)
    {
        public override Task<BucketText?> ReadTextAsync(string path, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"{path} was read without a size limit.");
    }
}
