using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

public sealed class MirrorSnapshotTests : IDisposable
{
    private readonly TestFolder _folder = new();
    private readonly LocalBucket _bucket;
    private readonly MirrorSnapshot _snapshot;

    public MirrorSnapshotTests()
    {
        _bucket = new LocalBucket(Path.Combine(_folder.Path, "bucket"));
        _snapshot = new MirrorSnapshot(_bucket, "demo", "adtechB");
    }

    public void Dispose() => _folder.Dispose();

    private Task<MirrorSyncResult> SyncAsync(IEnumerable<Member> members, IMirrorTarget target) =>
        new MirrorSync(_bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work"), RunBytes = 8 * 1024 })
            .RunAsync("demo", "adtechB", members.ToAsyncEnumerable(), MirrorMembers.India, target);

    /// <summary>The snapshot's members as the oracle sees them, read back in file order (the reader checks the key order).</summary>
    private async Task<List<string>> ReadAsync()
    {
        var members = new List<string>();
        await using var records = await _snapshot.OpenAsync(CancellationToken.None);
        while (await records.MoveNextAsync(CancellationToken.None))
        {
            members.Add(MirrorMembers.Identity(MirrorRecord.Read(records.Current)));
        }

        return members;
    }

    [Fact]
    public async Task OpenAsync_AfterASync_ReadsBackEveryMemberOnceWithItsHashes()
    {
        var members = Enumerable.Range(0, 1_000).Select(MirrorMembers.Numbered)
            .Append(new Member(["x@example.com", "y@example.com"], ["+91 9812345678", "+91 9812345679"], []))
            .ToList();

        await SyncAsync(members, new RecordingMirrorTarget(batchSize: 100));
        var read = await ReadAsync();

        Assert.Equal(1_001, read.Count);
        Assert.Equal(MirrorMembers.Expected(members), read.ToHashSet());
        Assert.Empty(await _snapshot.JournalAsync(CancellationToken.None));
    }

    [Fact]
    public async Task OpenAsync_NoSnapshotYet_ReadsNothing()
    {
        Assert.Empty(await ReadAsync());
    }

    [Fact]
    public async Task CommitAsync_JournalLeftByACrashAfterTheSnapshotWasWritten_ChangesNothing()
    {
        var target = new RecordingMirrorTarget();
        await SyncAsync(Enumerable.Range(0, 50).Select(MirrorMembers.Numbered), target);
        target.RefuseCalls.Add(target.Calls.Count + 4); // 20–49 change: 2 remove batches and the first add batch accepted
        await SyncAsync(Enumerable.Range(20, 50).Select(MirrorMembers.Numbered), target);
        var journal = await _snapshot.JournalAsync(CancellationToken.None);
        var saved = journal.Select(e => (e.Path, Bytes: File.ReadAllBytes(Path.Combine(_bucket.Root, e.Path)))).ToList();

        Assert.Equal([MirrorChange.Remove, MirrorChange.Remove, MirrorChange.Add], journal.Select(e => e.Change));
        Assert.True(await _snapshot.CommitAsync(CancellationToken.None));
        var committed = await ReadAsync();
        foreach (var (path, bytes) in saved)
        {
            await _bucket.WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask());
        }

        Assert.True(await _snapshot.CommitAsync(CancellationToken.None));
        Assert.Equal(committed, await ReadAsync());
        Assert.Equal(target.Held.Order(), committed.Order());
        Assert.False(await _snapshot.CommitAsync(CancellationToken.None));
    }

    [Fact]
    public async Task OpenAsync_DamagedSnapshot_SaysWhichFile()
    {
        await _bucket.WriteAsync(_snapshot.SnapshotPath, (stream, ct) => stream.WriteAsync("not a snapshot"u8.ToArray(), ct).AsTask());

        var error = await Assert.ThrowsAsync<InvalidDataException>(ReadAsync);

        Assert.Contains("sync/demo/adtechB.snapshot", error.Message);
    }

    [Fact]
    public async Task OpenAsync_SnapshotCutInTheMiddleOfARecord_SaysSo()
    {
        await SyncAsync([MirrorMembers.Numbered(1), MirrorMembers.Numbered(2)], new RecordingMirrorTarget());
        var file = Path.Combine(_bucket.Root, _snapshot.SnapshotPath);
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..^10]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(ReadAsync);

        Assert.Contains("ends in the middle of a record", error.Message);
    }

    [Fact]
    public async Task DeleteAsync_AfterASync_NextSyncSendsEveryMemberAgain()
    {
        var target = new RecordingMirrorTarget();
        await SyncAsync(Enumerable.Range(0, 30).Select(MirrorMembers.Numbered), target);

        await _snapshot.DeleteAsync(CancellationToken.None);
        var again = await SyncAsync(Enumerable.Range(0, 30).Select(MirrorMembers.Numbered), target);

        Assert.Equal((30L, 0L), (again.Added, again.Removed));
    }
}
