using Microsoft.AspNetCore.Http;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>The HTTP data source against real loopback servers, through the portal's outbound policy.</summary>
public sealed class HttpDataSourceTests : DatabaseTest
{
    private static readonly AudienceState Audience =
        AudienceStateParser.Parse("demo.yml", "demo:\n  description: d\n  source:\n    endpoint: members/\n").State!;

    private async Task<(FetchResult Result, CoreHost Host)> FetchAsync(string baseUrl, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Bucket:Path"] = Path.Combine(Folder.Path, "bucket"), ["DataSources:Http:BaseUrl"] = baseUrl };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var host = await CoreHost.StartAsync(Folder, settings: values);
        return (await host.Get<HttpDataSource>().FetchAsync(Audience, host.Get<IBucket>(), CancellationToken.None), host);
    }

    [Fact]
    public async Task Fetch_AllowedLoopbackHost_ReadsTheMembers()
    {
        await using var server = await LoopbackServer.MembersAsync();
        var (result, host) = await FetchAsync(server.BaseUrl, ("Outbound:AllowedHosts:0", server.Authority));
        await using var _ = host;

        Assert.True(result.Succeeded, result.Response.Message);
        Assert.Equal(1, result.Members);
    }

    [Fact]
    public async Task Fetch_LoopbackHostNotAllowed_IsRefusedWithoutARequest()
    {
        await using var server = await LoopbackServer.MembersAsync();
        var (result, host) = await FetchAsync(server.BaseUrl, ("Outbound:AllowedHosts:0", $"127.0.0.1:{server.Port + 1}"));
        await using var _ = host;

        Assert.False(result.Succeeded);
        Assert.Equal(0, server.Requests);
        Assert.Equal(503, result.Response.Status);
        Assert.Contains($"does not connect to 127.0.0.1:{server.Port}: it is a loopback address (127.0.0.1)", result.Response.Message, StringComparison.Ordinal);
        Assert.Contains("Outbound:AllowedHosts", result.Response.Message, StringComparison.Ordinal);
        Assert.False(await host.Get<IBucket>().ExistsAsync(AudienceCatalog.DataPath("demo")));
    }

    [Fact]
    public async Task Fetch_HostNameResolvingToLoopback_IsRefusedAtConnectTime()
    {
        // 127.0.0.1 is allowed, but "localhost" is another name: its addresses are checked when connecting.
        await using var server = await LoopbackServer.MembersAsync();
        var (result, host) = await FetchAsync($"http://localhost:{server.Port}/", ("Outbound:AllowedHosts:0", server.Authority));
        await using var _ = host;

        Assert.False(result.Succeeded);
        Assert.Equal(0, server.Requests);
        Assert.Contains($"does not connect to localhost:{server.Port}: it is a loopback address", result.Response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_RedirectToAnotherHost_IsNotFollowed()
    {
        await using var target = await LoopbackServer.MembersAsync();
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.Redirect($"http://localhost:{target.Port}/members/");
            return Task.CompletedTask;
        });
        var (result, host) = await FetchAsync(server.BaseUrl, ("Outbound:AllowedHosts:0", "127.0.0.1"), ("Outbound:AllowedHosts:1", "localhost"));
        await using var _ = host;

        Assert.False(result.Succeeded);
        Assert.Equal((1, 0), (server.Requests, target.Requests));
        Assert.Equal(302, result.Response.Status);
        Assert.Contains("redirects are not followed", result.Response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_AnswerPastTheSizeCap_StopsAtTheCapWithAClearError()
    {
        // 4 MiB of members without a Content-Length: the cap is found while reading.
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("[", context.RequestAborted);
            var member = System.Text.Encoding.UTF8.GetBytes("""{"email":"someone@example.com"},""");
            for (var written = 0; written < 4 << 20; written += member.Length)
            {
                await context.Response.Body.WriteAsync(member, context.RequestAborted);
            }

            await context.Response.WriteAsync("{}]", context.RequestAborted);
        });
        var (result, host) = await FetchAsync(server.BaseUrl, ("Outbound:AllowedHosts:0", server.Authority), ("DataSources:Http:MaxResponseBytes", "65536"));
        await using var _ = host;

        Assert.False(result.Succeeded);
        Assert.Equal(502, result.Response.Status);
        Assert.Equal("Failed: the data source's answer is larger than 65,536 bytes (DataSources:Http:MaxResponseBytes); nothing was saved.", result.Response.Message);
        Assert.False(await host.Get<IBucket>().ExistsAsync(AudienceCatalog.DataPath("demo")));
    }

    [Fact]
    public async Task Fetch_ContentLengthPastTheSizeCap_IsRefusedBeforeReading()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            var body = "[" + new string(' ', 100_000) + "]";
            context.Response.ContentLength = body.Length;
            await context.Response.WriteAsync(body);
        });
        var (result, host) = await FetchAsync(server.BaseUrl, ("Outbound:AllowedHosts:0", server.Authority), ("DataSources:Http:MaxResponseBytes", "1000"));
        await using var _ = host;

        Assert.Equal((false, 502), (result.Succeeded, result.Response.Status));
        Assert.Contains("larger than 1,000 bytes", result.Response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_AnswerStallsAfterItsHeaders_EndsAfterTheTimeout()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("[", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            await context.Response.WriteAsync("]", context.RequestAborted);
        });
        var (result, host) = await FetchAsync(server.BaseUrl, ("Outbound:AllowedHosts:0", server.Authority), ("DataSources:Http:TimeoutSeconds", "1"));
        await using var _ = host;

        Assert.False(result.Succeeded);
        Assert.Equal(504, result.Response.Status);
        Assert.Contains("within 1 s (DataSources:Http:TimeoutSeconds)", result.Response.Message, StringComparison.Ordinal);
    }
}
