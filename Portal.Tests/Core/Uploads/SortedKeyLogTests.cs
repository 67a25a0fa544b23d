using Portal.Core.Uploads;

namespace Portal.Tests.Core.Uploads;

/// <summary>The log of keys that came in rising order: every key appended is found with its hash and state, in the file's blocks and in the last one still in memory.</summary>
public sealed class SortedKeyLogTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(2_000)]
    public void Find_KeysAppendedWithGaps_FindsEachAndNothingBetween(int count)
    {
        using var log = new SortedKeyLog();
        var keys = Enumerable.Range(0, count).Select(i => (long)(i * 3) - 100).ToList();
        foreach (var key in keys)
        {
            log.Append(key, key * 7, (StageState)(int)(Math.Abs(key) % 3));
        }

        Assert.Equal(count, log.Count);
        Assert.Equal(keys[^1], log.Last);
        foreach (var key in keys)
        {
            Assert.Equal((true, key * 7, (StageState)(int)(Math.Abs(key) % 3)), log.Find(key));
            Assert.False(log.Find(key + 1).Found);
        }

        Assert.False(log.Find(keys[0] - 1).Found);
        Assert.False(log.Find(long.MinValue).Found);
        Assert.False(log.Find(long.MaxValue).Found);
    }

    [Fact]
    public void Append_KeyNotAboveTheLast_Throws()
    {
        using var log = new SortedKeyLog();
        log.Append(5, 1, StageState.Kept);

        Assert.Throws<InvalidOperationException>(() => log.Append(5, 2, StageState.Kept));
        Assert.Throws<InvalidOperationException>(() => log.Append(4, 2, StageState.Kept));
        using var empty = new SortedKeyLog();
        Assert.False(empty.Find(0).Found);
    }
}
