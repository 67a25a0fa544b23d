using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>Connection checks against the sandbox on a real loopback HTTP server.</summary>
public sealed class ConnectionHealthTests : DatabaseTest
{
    private Task<SandboxHost> StartAsync(Action<Dictionary<string, string?>>? change = null) => SandboxHost.StartAsync(Folder, change);

    [Fact]
    public async Task CheckAll_GoodCredentials_EveryAdtechConnected()
    {
        await using var env = await StartAsync();

        var checks = await env.Host.Get<ConnectionHealth>().CheckAllAsync(CoreHost.Marketer);

        Assert.Equal(AdtechKeys.All.Order(), checks.Select(c => c.Key).Order());
        Assert.All(checks, c => Assert.True(c is { Ok: true, Configured: true, Status: 200, Message: "Connected" }, $"{c.Key}: {c.Status} {c.Message}"));
        Assert.Equal(checks.Count, env.Host.Get<ConnectionHealth>().Latest.Count);
    }

    [Theory]
    [InlineData(AdtechKeys.AdtechB, "AccessToken", "wrong", 401, "Invalid or missing access token")]
    [InlineData(AdtechKeys.GoogleAds, "DeveloperToken", "not-the-token", 401, "developer token")]
    [InlineData(AdtechKeys.Meta, "BaseUrl", "http://127.0.0.1:1/", 503, "")]
    [InlineData(AdtechKeys.AdtechA, "BaseUrl", "http://adtech-a.example/", 503, "sends credentials to adtech-a.example only over https")]
    public async Task Check_BrokenSetting_NotOkWithStatusAndMessage(string adtech, string setting, string value, int status, string message)
    {
        await using var env = await StartAsync(s => s[$"Adtech:Connections:{adtech}:{setting}"] = value);

        var check = await env.Host.Get<ConnectionHealth>().CheckAsync(adtech, CoreHost.Marketer);

        Assert.False(check.Ok);
        Assert.Equal(status, check.Status);
        Assert.Contains(message, check.Message, StringComparison.Ordinal);
        Assert.NotEqual("Connected", check.Message);
    }

    [Fact]
    public async Task Check_AdtechOnLoopbackNotAllowed_IsRefusedBeforeConnecting()
    {
        await using var env = await StartAsync(s => s.Remove("Outbound:AllowedHosts:sandbox"));
        var port = new Uri(env.Sandbox.BaseUrl).Port;

        var check = await env.Host.Get<ConnectionHealth>().CheckAsync(AdtechKeys.AdtechB, CoreHost.Marketer);
        var upload = await env.Host.Get<AdtechHttp>().PostAsync(new AdtechConnection(AdtechKeys.AdtechB, new Uri($"https://127.0.0.1:{port}/"), null, "t"),
            "adtech-b/audiences", "{}"u8.ToArray(), null, "k", CancellationToken.None);

        Assert.False(check.Ok);
        Assert.Contains("only over https", check.Message, StringComparison.Ordinal);
        Assert.Equal((503, 1), (upload.Status, upload.Attempts));
        Assert.Contains($"does not connect to 127.0.0.1:{port}: it is a loopback address", upload.Message, StringComparison.Ordinal);
        Assert.Empty(env.Sandbox.State.Calls);
    }

    [Fact]
    public async Task Check_NoConnection_SaysNotConfigured()
    {
        await using var env = await StartAsync(s => s.Remove("Adtech:Connections:adtechA:BaseUrl"));

        var check = await env.Host.Get<ConnectionHealth>().CheckAsync(AdtechKeys.AdtechA, CoreHost.Marketer);

        Assert.False(check.Configured);
        Assert.False(check.Ok);
        Assert.Contains("Adtech:Connections:adtechA", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Viewer_IsRefused()
    {
        await using var env = await StartAsync();

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => env.Host.Get<ConnectionHealth>().CheckAsync(AdtechKeys.AdtechA, CoreHost.Viewer));
        Assert.Empty(env.Host.Get<ConnectionHealth>().Latest);
    }
}
