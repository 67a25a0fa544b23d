using Portal.Core.Audiences;

namespace Portal.Tests.Core.Audiences;

public sealed class TextDiffTests
{
    [Fact]
    public void Compare_OneLineChanged_ShowsRemovedAndAddedWithLineNumbers()
    {
        var diff = TextDiff.Compare("a\nb\nc\n", "a\nB\nc\n");
        Assert.Equal(1, diff.Added);
        Assert.Equal(1, diff.Removed);
        Assert.Contains(diff.Lines, l => l is { Kind: DiffLineKind.Removed, Text: "b", OldNumber: 2, NewNumber: null });
        Assert.Contains(diff.Lines, l => l is { Kind: DiffLineKind.Added, Text: "B", OldNumber: null, NewNumber: 2 });
    }

    [Fact]
    public void Compare_SameTextWithOtherLineEndings_HasNoChanges()
    {
        Assert.False(TextDiff.Compare("a\r\nb\r\n", "a\nb\n").HasChanges);
    }

    [Fact]
    public void WithContext_LongUnchangedRuns_AreFoldedToOneMarker()
    {
        var old = string.Join('\n', Enumerable.Range(1, 30).Select(i => $"line {i}"));
        var diff = TextDiff.Compare(old, old.Replace("line 15", "line fifteen", StringComparison.Ordinal));
        var shown = diff.WithContext(2);
        Assert.Equal(2 + 2 + 2 + 2, shown.Count); // skip, 2 before, removed, added, 2 after, skip
        Assert.Null(shown[0]);
        Assert.Null(shown[^1]);
        Assert.Equal("line 13", shown[1]!.Text);
    }
}
