using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

public sealed class LocalBucketTests : DatabaseTest
{
    [Fact]
    public async Task WriteThenRead_GivesTheTextAndItsVersion()
    {
        var bucket = new LocalBucket(Folder.Path);
        var version = await bucket.WriteTextAsync("state/a.yml", "a:\n  description: d\n", null);
        var read = await bucket.ReadTextAsync("state/a.yml");
        Assert.NotNull(read);
        Assert.Equal("a:\n  description: d\n", read.Text);
        Assert.Equal(version, read.Version);
        Assert.Equal(LocalBucket.VersionOf(read.Text), version);
    }

    [Fact]
    public async Task WriteAsync_ALargeFileWrittenReadAndAppended_KeepsEveryByte()
    {
        var bucket = new LocalBucket(Folder.Path);
        var data = new byte[20 << 20]; // past the 8 MiB steps at which the write-back of what was written starts
        new Random(3).NextBytes(data);

        await bucket.WriteAsync("data/big.bin", async (stream, ct) =>
        {
            for (var at = 0; at < data.Length; at += 1 << 20)
            {
                await stream.WriteAsync(data.AsMemory(at, 1 << 20), ct);
            }

            // As Parquet does when it appends: reads back what it wrote, then writes on at the end.
            stream.Position = 4;
            var read = new byte[16];
            await stream.ReadExactlyAsync(read, ct);
            Assert.Equal(data[4..20], read);
            stream.Seek(0, SeekOrigin.End);
            stream.Write(data, 0, 100);
        });

        var written = await File.ReadAllBytesAsync(Path.Combine(Folder.Path, "data", "big.bin"));
        Assert.Equal(data.Length + 100, written.Length);
        Assert.True(written.AsSpan(0, data.Length).SequenceEqual(data));
        Assert.True(written.AsSpan(data.Length).SequenceEqual(data.AsSpan(0, 100)));
    }

    [Fact]
    public async Task Write_WithStaleVersion_IsRefusedAndLeavesTheFileAsItWas()
    {
        var bucket = new LocalBucket(Folder.Path);
        var v1 = await bucket.WriteTextAsync("state/a.yml", "one", null);
        await bucket.WriteTextAsync("state/a.yml", "two", v1);

        var ex = await Assert.ThrowsAsync<BucketConflictException>(() => bucket.WriteTextAsync("state/a.yml", "three", v1));
        Assert.Contains("changed by someone else", ex.Message, StringComparison.Ordinal);
        Assert.Equal("two", (await bucket.ReadTextAsync("state/a.yml"))!.Text);
        Assert.Empty(Directory.GetFiles(Path.Combine(Folder.Path, "state"), ".*"));
    }

    [Fact]
    public async Task ListAll_NestedFolders_GivesEveryFileUnderThePrefixByPath()
    {
        var bucket = new LocalBucket(Folder.Path);
        foreach (var path in new[] { "incoming/clicks/2024-Q1/b.csv", "incoming/clicks/2024-Q1/a.csv", "incoming/users/all/u.csv", "incoming/top.csv", "state/x.yml" })
        {
            await bucket.WriteTextAsync(path, "x", null);
        }

        File.WriteAllText(Path.Combine(Folder.Path, "incoming", "users", "all", ".u.csv.tmp"), "half written");

        var all = await bucket.ListAllAsync("incoming/").Select(i => i.Path).ToListAsync();
        var flat = await bucket.ListAsync("incoming/").Select(i => i.Path).ToListAsync();

        Assert.Equal(["incoming/clicks/2024-Q1/a.csv", "incoming/clicks/2024-Q1/b.csv", "incoming/top.csv", "incoming/users/all/u.csv"], all);
        Assert.Equal(["incoming/top.csv"], flat);
        Assert.Empty(await bucket.ListAllAsync("nothing-here").ToListAsync());
    }

    [Theory]
    [InlineData("../outside.yml")]
    [InlineData("state/../../outside.yml")]
    [InlineData("/etc/passwd")]
    [InlineData("state\\a.yml")]
    public async Task Paths_LeavingTheBucket_AreRefused(string path)
    {
        var bucket = new LocalBucket(Folder.Path);
        await Assert.ThrowsAsync<ArgumentException>(() => bucket.WriteTextAsync(path, "x", null));
    }

    [Fact]
    public async Task BinaryWrite_ThatFails_LeavesNoPartialObject()
    {
        var bucket = new LocalBucket(Folder.Path);
        await bucket.WriteAsync("data/a.parquet.gz", (s, ct) => s.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask());
        await Assert.ThrowsAsync<IOException>(() => bucket.WriteAsync("data/a.parquet.gz", async (s, ct) =>
        {
            await s.WriteAsync(new byte[] { 9, 9 }, ct);
            throw new IOException("source went away");
        }));

        await using var read = await bucket.OpenReadAsync("data/a.parquet.gz");
        var bytes = new byte[10];
        Assert.Equal(3, await read.ReadAsync(bytes));
        Assert.Equal(new byte[] { 1, 2, 3 }, bytes[..3]);
        Assert.Equal(["data/a.parquet.gz"], await bucket.ListAsync("data").Select(i => i.Path).ToListAsync());
    }

    [Fact]
    public async Task BinaryWrite_WhileUnderWay_IsAHiddenTemporaryFileAndTheObjectKeepsItsOldBytes()
    {
        var bucket = new LocalBucket(Folder.Path);
        await bucket.WriteAsync("data/a.parquet.gz", (s, ct) => s.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask());
        string[] during = [];
        byte[] visible = [];

        await bucket.WriteAsync("data/a.parquet.gz", async (s, ct) =>
        {
            await s.WriteAsync(new byte[] { 9, 9, 9, 9 }, ct);
            await s.FlushAsync(ct);
            during = [.. Directory.GetFiles(Path.Combine(Folder.Path, "data")).Select(Path.GetFileName)!];
            visible = await File.ReadAllBytesAsync(Path.Combine(Folder.Path, "data", "a.parquet.gz"), ct);
        });

        Assert.Equal(2, during.Length);
        Assert.Contains(during, f => f!.StartsWith(".a.parquet.gz.", StringComparison.Ordinal) && f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.Equal(new byte[] { 1, 2, 3 }, visible);
        Assert.Equal(["a.parquet.gz"], Directory.GetFiles(Path.Combine(Folder.Path, "data")).Select(Path.GetFileName));
        Assert.Equal(new byte[] { 9, 9, 9, 9 }, await File.ReadAllBytesAsync(Path.Combine(Folder.Path, "data", "a.parquet.gz")));
    }

    [Fact]
    public async Task CreateText_WhereAnObjectExists_ReturnsNullAndLeavesItAsItWas()
    {
        var bucket = new LocalBucket(Folder.Path);
        var version = await bucket.CreateTextAsync("state/a.yml", "first");

        Assert.Equal(LocalBucket.VersionOf("first"), version);
        Assert.Null(await bucket.CreateTextAsync("state/a.yml", "second"));
        Assert.Equal("first", (await bucket.ReadTextAsync("state/a.yml"))!.Text);
        Assert.Equal(["a.yml"], Directory.GetFiles(Path.Combine(Folder.Path, "state")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task CreateText_ManyAtOnce_ExactlyOneWinsAndNothingIsOverwritten()
    {
        var bucket = new LocalBucket(Folder.Path);
        var texts = Enumerable.Range(0, 16).Select(i => $"writer {i}").ToList();

        var versions = await Task.WhenAll(texts.Select(t => Task.Run(() => bucket.CreateTextAsync("state/same.yml", t))));

        var won = Assert.Single(versions, v => v is not null);
        var text = (await bucket.ReadTextAsync("state/same.yml"))!;
        Assert.Equal(won, text.Version);
        Assert.Contains(text.Text, texts);
        Assert.Equal(["same.yml"], Directory.GetFiles(Path.Combine(Folder.Path, "state")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task DemoAudiences_SeededIntoAnEmptyBucket_AreValidAndNotSeededTwice()
    {
        var bucket = new LocalBucket(Folder.Path);
        Assert.Equal(3, await DemoAudiences.SeedAsync(bucket));
        var entries = await new AudienceCatalog(bucket).ScanAsync().ToListAsync();
        Assert.Equal(["demo_audience", "frequent_travellers", "tier1_grocery_shoppers"], entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.True(e.IsValid, string.Join("\n", e.Issues)));

        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), "changed", null);
        Assert.Equal(0, await DemoAudiences.SeedAsync(bucket));
        Assert.Equal("changed", (await bucket.ReadTextAsync(AudienceCatalog.StatePath("demo_audience")))!.Text);
    }

    [Fact]
    public async Task Catalog_Scan_ReportsInvalidAndDuplicateFilesWithoutRewritingThem()
    {
        var bucket = new LocalBucket(Folder.Path);
        await bucket.WriteTextAsync("state/demo_audience.yml", SeedStates.Stage1Basic, null);
        await bucket.WriteTextAsync("state/Demo_Audience.yml", SeedStates.Stage1Basic.Replace("demo_audience:", "Demo_Audience:", StringComparison.Ordinal), null);
        const string broken = "broken:\n  description: d\n  source: {endpoint: x}\n  adtechA: {name: A, audience_type: nope}\n";
        await bucket.WriteTextAsync("state/broken.yml", broken, null);
        await bucket.WriteTextAsync("data/demo_audience.parquet.gz", "x", null);

        var entries = await new AudienceCatalog(bucket).ScanAsync().ToListAsync();

        Assert.Equal(3, entries.Count);
        // Listed in ordinal order, so Demo_Audience.yml comes first and the second of the pair is the duplicate.
        var first = entries.Single(e => e.Name == "Demo_Audience");
        Assert.True(first.IsValid, string.Join("\n", first.Issues));
        Assert.False(first.HasMemberData);
        var duplicate = entries.Single(e => e.Name == "demo_audience");
        var issue = Assert.Single(duplicate.Issues);
        Assert.Contains("Duplicate audience name: 'demo_audience' is also defined by Demo_Audience.yml", issue.Message, StringComparison.Ordinal);
        Assert.True(duplicate.HasMemberData);
        Assert.False(entries.Single(e => e.Name == "broken").IsValid);
        Assert.Equal(broken, (await bucket.ReadTextAsync("state/broken.yml"))!.Text);
    }
}
