using Portal.Core.Adtech.Sync;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>
/// Records spread over partitions by their key's first bits and read back a partition at a time, against an oracle
/// (the keys sorted, each once).
/// </summary>
public sealed class KeyPartitionsTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1 << 20)] // every partition sorted in memory
    [InlineData(500)] // partitions over the memory allowed (about 1.5 KB each), sorted into runs on disk and merged
    public async Task Open_RecordsAddedInAnyOrder_GivesEachKeyOnceInKeyOrder(int maxBytes)
    {
        var records = CraftedRecords.Make(seed: 11, count: 3_000);
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

        Assert.Equal(CraftedRecords.DistinctSortedKeys(records), read);
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
        partitions.Add(CraftedRecords.Make(seed: 3, count: 1)[0]);

        await partitions.DisposeAsync();

        Assert.False(Directory.Exists(partitions.Folder));
    }
}
