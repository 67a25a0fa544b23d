using Portal.Core.Adtech.Sync;

namespace Portal.Tests.TestSupport;

/// <summary>Mirror records made up key by key (no hashed identifiers), for tests of sorting and partitioning.</summary>
public static class CraftedRecords
{
    /// <summary>
    /// Keys in groups that share their first 8 bytes (so that the sort must break ties by the rest), some keys twice,
    /// each record with a day that tells the copies apart; none in some partitions (keys starting below 0x10 skipped).
    /// </summary>
    public static List<byte[]> Make(int seed, int count)
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

    /// <summary>The oracle: each key once, in order, as hex.</summary>
    public static List<string> DistinctSortedKeys(IEnumerable<byte[]> records) =>
        [.. records.Select(r => Convert.ToHexString(MirrorRecord.Key(r))).Distinct().Order(StringComparer.Ordinal)];
}
