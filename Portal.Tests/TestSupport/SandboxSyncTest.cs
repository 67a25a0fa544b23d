using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Tests.TestSupport;

/// <summary>A test of a mirror target against the sandbox on a real loopback server, with a folder for the sync's bucket and work files.</summary>
public abstract class SandboxSyncTest : IAsyncLifetime, IDisposable
{
    private readonly TestFolder _folder = new();

    protected SandboxServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await SandboxServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public void Dispose()
    {
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Syncs the <paramref name="adtech"/> audience "demo" with <paramref name="members"/> through <paramref name="target"/>.</summary>
    protected Task<MirrorSyncResult> SyncAsync(string adtech, IEnumerable<Member> members, NormalizationOptions normalization, IMirrorTarget target) =>
        new MirrorSync(new LocalBucket(Path.Combine(_folder.Path, "bucket")), new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work") })
            .RunAsync("demo", adtech, members.ToAsyncEnumerable(), normalization, target);
}
