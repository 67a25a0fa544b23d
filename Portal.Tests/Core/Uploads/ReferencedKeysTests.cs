using Portal.Core.Uploads;

namespace Portal.Tests.Core.Uploads;

/// <summary>The keys a file's rows refer to: found the same way whether they are dense (indexed by value) or sparse (binary search).</summary>
public sealed class ReferencedKeysTests
{
    public static TheoryData<long[]> KeySets => new()
    {
        { [1, 2, 3, 5, 8, 13, 21, 34, 55, 89] }, // dense: a table indexed by the key
        { [-7, 0, 4, 1_000_000_000_000, long.MaxValue - 1] }, // sparse: binary search
        { [long.MinValue + 1, long.MinValue + 3] }, // dense at the bottom of the range
    };

    [Theory]
    [MemberData(nameof(KeySets))]
    public void Use_KeysInAndAroundTheTable_TrueOnlyForTheTablesKeysAndListsThoseUsed(long[] keys)
    {
        var referenced = new ReferencedKeys(keys);
        var probes = keys.SelectMany(k => new[] { k, unchecked(k - 1), unchecked(k + 1) })
            .Concat([0, 6, 100, long.MinValue, long.MaxValue, -1])
            .Distinct()
            .ToList();

        foreach (var probe in probes)
        {
            Assert.Equal(keys.Contains(probe), referenced.Use(probe));
        }

        Assert.Equal(keys, referenced.Used());
    }

    [Fact]
    public void Used_SomeKeysUsed_ListsOnlyThoseInOrder()
    {
        var referenced = new ReferencedKeys([10, 11, 12, 13, 14]);

        Assert.True(referenced.Use(13));
        Assert.True(referenced.Use(10));
        Assert.True(referenced.Use(13));
        Assert.False(referenced.Use(15));

        Assert.Equal([10L, 13L], referenced.Used());
    }

    [Fact]
    public void Use_EmptyTable_FalseForEveryKey()
    {
        var referenced = new ReferencedKeys([]);

        Assert.False(referenced.Use(1));
        Assert.Empty(referenced.Used());
    }
}
