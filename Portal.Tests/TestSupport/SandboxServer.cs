using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Adtech.Sandbox;

namespace Portal.Tests.TestSupport;

/// <summary>The adtech and data-source sandbox on its own real HTTP server, on a free loopback port.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxServer(WebApplication app, SandboxState state, string baseUrl)
    {
        _app = app;
        State = state;
        BaseUrl = baseUrl;
    }

    public SandboxState State { get; }

    /// <summary>Ends with '/'.</summary>
    public string BaseUrl { get; }

    public static async Task<SandboxServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var state = new SandboxState();
        app.MapAdtechSandbox("", state);
        await Task.Run(() => app.StartAsync());
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxServer(app, state, address.TrimEnd('/') + "/");
    }

    /// <summary>Settings pointing a core host's data source and both adtech connections at this sandbox.</summary>
    public Dictionary<string, string?> Settings(string bucketPath) => new()
    {
        ["Bucket:Path"] = bucketPath,
        ["DataSources:Http:BaseUrl"] = BaseUrl + "data/",
        ["Adtech:Connections:adtechA:BaseUrl"] = BaseUrl,
        ["Adtech:Connections:adtechA:AccountId"] = "42",
        ["Adtech:Connections:adtechA:AccessToken"] = State.AccessToken,
        ["Adtech:Connections:adtechB:BaseUrl"] = BaseUrl,
        ["Adtech:Connections:adtechB:AccessToken"] = State.AccessToken,
        ["Adtech:Connections:meta:BaseUrl"] = BaseUrl,
        ["Adtech:Connections:meta:AccountId"] = "act_77",
        ["Adtech:Connections:meta:AccessToken"] = State.AccessToken,
        ["Adtech:Retry:BaseDelaySeconds"] = "0.05",
        ["Adtech:Retry:TimeoutSeconds"] = "1",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
