namespace Portal.Tests.TestSupport;

/// <summary>A core host whose data source and adtech connections point at a sandbox on its own loopback port.</summary>
public sealed record SandboxHost(CoreHost Host, SandboxServer Sandbox) : IAsyncDisposable
{
    public static async Task<SandboxHost> StartAsync(TestFolder folder, Action<Dictionary<string, string?>>? change = null, bool seedDemoData = false)
    {
        var sandbox = await SandboxServer.StartAsync();
        var settings = sandbox.Settings(Path.Combine(folder.Path, "bucket"));
        change?.Invoke(settings);
        return new SandboxHost(await CoreHost.StartAsync(folder, settings: settings, seedDemoData: seedDemoData), sandbox);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
