using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>The sandbox on its own real HTTP server on a free loopback port (tests and benchmarks).</summary>
public sealed class LoopbackSandbox : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackSandbox(WebApplication app, SandboxState state, string baseUrl)
    {
        _app = app;
        State = state;
        BaseUrl = baseUrl;
    }

    public SandboxState State { get; }

    /// <summary>Ends with '/'.</summary>
    public string BaseUrl { get; }

    public static async Task<LoopbackSandbox> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var state = new SandboxState();
        app.MapAdtechSandbox("", state);
        await Task.Run(() => app.StartAsync());
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackSandbox(app, state, address.TrimEnd('/') + "/");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
