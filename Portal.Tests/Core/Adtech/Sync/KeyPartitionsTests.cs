using Portal.Core.Adtech.Sync;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>
/// Records spread over partitions by their key's first bits and read back a partition at a time, against an oracle
/// (the keys sorted, each once), and the run buffer's sort on the keys' first 8 bytes with ties broken by the whole key.
/// </summary>
public sealed class KeyPartitionsTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Keys in groups that share their first 8 bytes (so that the sort must break ties by the rest), some keys twice,
    /// each record with a day that tells the copies apart; none in some partitions (keys starting below 0x10 skipped).
    /// </summary>
    private static List<byte[]> Records(int seed, int count)
    {
        var random = new Random(seed);
        var records = new List<byte[]>();
        while (records.Count < count)
        {
            var prefix = new byte[8];
            random.NextBytes(prefix);
            if (prefix[0] < 0x10)
            {
                continue;
            }

            for (var i = random.Next(1, 4); i > 0; i--)
            {
                var record = new byte[MirrorRecord.HeaderSize];
                prefix.CopyTo(record, 0);
                random.NextBytes(record.AsSpan(8, MirrorRecord.KeySize - 8));
                records.Add(record);
                if (random.Next(10) == 0)
                {
                    var again = (byte[])record.Clone();
                    MirrorRecord.SetDay(again, 7);
                    records.Add(again);
                }
            }
        }

        return records;
    }

    private static List<string> DistinctSortedKeys(IEnumerable<byte[]> records) =>
        [.. records.Select(r => Convert.ToHexString(MirrorRecord.Key(r))).Distinct().Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData(1 << 20)] // every partition sorted in memory
    [InlineData(500)] // partitions over the memory allowed (about 1.5 KB each), sorted into runs on disk and merged
    public async Task Open_RecordsAddedInAnyOrder_GivesEachKeyOnceInKeyOrder(int maxBytes)
    {
        var records = Records(seed: 11, count: 3_000);
        await using var partitions = new KeyPartitions(Path.Combine(_folder.Path, "partitions"));
        Directory.CreateDirectory(partitions.Folder);
        foreach (var record in records)
        {
            partitions.Add(record);
        }

        await partitions.CloseAsync();
        var read = new List<string>();
        await using (var source = partitions.Open(maxBytes))
        {
            while (await source.MoveNextAsync(CancellationToken.None))
            {
                Assert.Equal(MirrorRecord.HeaderSize, source.Current.Length);
                read.Add(Convert.ToHexString(MirrorRecord.Key(source.Current)));
            }
        }

        Assert.Equal(DistinctSortedKeys(records), read);
        Assert.False(File.Exists(partitions.PathOf(0)));
    }

    [Fact]
    public async Task Open_NoRecords_IsEmpty()
    {
        await using var partitions = new KeyPartitions(Path.Combine(_folder.Path, "partitions"));
        Directory.CreateDirectory(partitions.Folder);
        await partitions.CloseAsync();

        await using var source = partitions.Open(1 << 20);

        Assert.False(await source.MoveNextAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Dispose_AfterUse_DeletesTheFolder()
    {
        var partitions = new KeyPartitions(Path.Combine(_folder.Path, "partitions"));
        Directory.CreateDirectory(partitions.Folder);
        partitions.Add(Records(seed: 3, count: 1)[0]);

        await partitions.DisposeAsync();

        Assert.False(Directory.Exists(partitions.Folder));
    }

    [Fact]
    public void RunBufferSort_KeysSharingTheirFirst8Bytes_OrdersByTheWholeKeyAndMarksRepeats()
    {
        var records = Records(seed: 5, count: 2_000);
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
        Assert.Equal(DistinctSortedKeys(records), distinct);
    }
}
