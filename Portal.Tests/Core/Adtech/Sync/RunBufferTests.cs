using Portal.Core.Adtech.Sync;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>The run buffer's sort: on the keys' first 8 bytes as a number, ties broken by the whole key, repeats marked.</summary>
public sealed class RunBufferTests
{
    [Fact]
    public void Sort_KeysSharingTheirFirst8Bytes_OrdersByTheWholeKeyAndMarksRepeats()
    {
        var records = CraftedRecords.Make(seed: 5, count: 2_000);
        var buffer = new RunBuffer(1 << 20);
        foreach (var record in records)
        {
            Assert.True(buffer.Fits(record.Length, 1));
            buffer.Add(record);
        }

        buffer.Sort();

        var distinct = new List<string>();
        for (var i = 0; i < buffer.Count; i++)
        {
            var key = Convert.ToHexString(MirrorRecord.Key(buffer.RecordAt(i)));
            Assert.Equal(distinct.Count > 0 && distinct[^1] == key, buffer.IsRepeat(i));
            if (!buffer.IsRepeat(i))
            {
                distinct.Add(key);
            }
        }

        Assert.Equal(records.Count, buffer.Count);
        Assert.Equal(CraftedRecords.DistinctSortedKeys(records), distinct);
    }
}
