using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.TestSupport;

/// <summary>A real HTTP server on a free loopback port answering every request with <c>answer</c>; counts the requests.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private LoopbackServer(WebApplication app) => _app = app;

    /// <summary>Ends with '/'.</summary>
    public string BaseUrl { get; private set; } = "";

    public string Authority => new Uri(BaseUrl).Authority;

    public int Port => new Uri(BaseUrl).Port;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<LoopbackServer> StartAsync(RequestDelegate answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Run(context =>
        {
            Interlocked.Increment(ref server._requests);
            return answer(context);
        });
        await Task.Run(() => app.StartAsync());
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
        return server;
    }

    /// <summary>A server answering a JSON array of one member.</summary>
    public static Task<LoopbackServer> MembersAsync() =>
        StartAsync(context => context.Response.WriteAsJsonAsync(new[] { new { email = "a@example.com" } }));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
