using Portal.Core.Adtech.Sandbox;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>The sync against the sandbox's AdtechB over HTTP on loopback: the same audience id, its members kept equal to the current ones.</summary>
public sealed class MirrorSyncSandboxTests : IAsyncLifetime, IDisposable
{
    private readonly TestFolder _folder = new();
    private SandboxServer _sandbox = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_sandbox.BaseUrl) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    public void Dispose() => _folder.Dispose();

    private Task<MirrorSyncResult> RunAsync(IEnumerable<Member> members, IMirrorTarget target) =>
        new MirrorSync(new LocalBucket(Path.Combine(_folder.Path, "bucket")), new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work") })
            .RunAsync("demo", "adtechB", members.ToAsyncEnumerable(), MirrorMembers.India, target);

    /// <summary>The sandbox's keys of the members a sync should leave in the audience.</summary>
    private static HashSet<UInt128> Expected(IEnumerable<Member> members)
    {
        var stats = new HashStats();
        return [.. members.Select(m => stats.Hash(m, MirrorMembers.India)).Where(h => !h.IsEmpty).Select(h => SandboxMembers.RowKey(h.Emails, h.Phones, h.Zips))];
    }

    [Fact]
    public async Task RunAsync_SegmentChangedAndAFaultOnTheWay_SandboxAudienceHoldsTheNewMembersUnderTheSameId()
    {
        var id = await SandboxMirrorTarget.CreateAudienceAsync(_http, _sandbox.State.AccessToken);
        var target = new SandboxMirrorTarget(_http, _sandbox.State.AccessToken, id, batchSize: 100);
        var before = Enumerable.Range(0, 1_000).Select(MirrorMembers.Numbered).ToList();
        var after = Enumerable.Range(100, 1_000).Select(MirrorMembers.Numbered).ToList(); // 0–99 left, 1000–1099 joined
        Assert.Equal(MirrorSyncOutcome.Synced, (await RunAsync(before, target)).Outcome);
        Assert.Equal(Expected(before), _sandbox.State.Members.Of(id));

        _sandbox.State.Faults.Enqueue(new SandboxFault($"/{id}/data", 400));
        var failed = await RunAsync(after, target);
        var resumed = await RunAsync(after, target);
        var calls = _sandbox.State.Calls.Where(c => c.AudienceId == id).ToList();
        var again = await RunAsync(after, target);

        Assert.Equal((MirrorSyncOutcome.Failed, 400), (failed.Outcome, failed.LastAnswer!.Status));
        Assert.Equal((MirrorSyncOutcome.Synced, 100L, 100L, 900L), (resumed.Outcome, resumed.Removed, resumed.Added, resumed.Unchanged));
        Assert.Equal(Expected(after), _sandbox.State.Members.Of(id));
        Assert.Equal(1_000, _sandbox.State.AudienceMembers[id]);
        Assert.Equal(100, calls.Where(c => c.Api == "adtechB:remove").Sum(c => c.Members));
        Assert.Equal(MirrorSyncOutcome.NoChange, again.Outcome);
        Assert.Equal(calls.Count, _sandbox.State.Calls.Count(c => c.AudienceId == id));
    }
}
