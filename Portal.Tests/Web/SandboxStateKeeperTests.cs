using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Portal.Core.Adtech.Sandbox;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web;

/// <summary>The portal's own sandbox (on, as in Development) over a restart: two portals, one after the other, on the same bucket.</summary>
public sealed class SandboxStateKeeperTests : IDisposable
{
    private readonly string _bucket = Path.Combine(Path.GetTempPath(), "portal-tests-sandbox-" + Guid.NewGuid().ToString("N")[..10]);

    private sealed class SandboxPortal(string bucket) : KestrelPortalWebFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Sandbox:Enabled", "true");
            builder.UseSetting("Bucket:Path", bucket);
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", new SandboxState().AccessToken);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private const string Members = """{"members":[{"email":["e1"],"phone_number":["p1"],"zip_code":[]},{"email":["e2"],"phone_number":["p2"],"zip_code":[]}]}""";

    [Fact]
    public async Task Restart_AudienceCreatedBefore_TheSandboxStillHoldsItAndGivesANewIdToTheNext()
    {
        string id;
        await using (var before = new SandboxPortal(_bucket))
        {
            using var client = await before.ReadyClientAsync();
            var (status, body) = await SendAsync(client, HttpMethod.Post, "/sandbox/adtech-a/v2/audiences?advertiserId=42",
                """{"name":"Kept","audience_type":"TYPE_X",""" + Members[1..]);
            Assert.Equal(HttpStatusCode.OK, status);
            id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        } // stopping the portal writes what the sandbox holds

        await using var after = new SandboxPortal(_bucket);
        using var restarted = await after.ReadyClientAsync();

        var (removed, answer) = await SendAsync(restarted, HttpMethod.Delete, $"/sandbox/adtech-a/v2/audiences/{id}/members?advertiserId=42", Members);
        Assert.Equal(HttpStatusCode.OK, removed);
        Assert.Contains("\"num_removed\":2", answer, StringComparison.Ordinal);
        var (created, next) = await SendAsync(restarted, HttpMethod.Post, "/sandbox/adtech-a/v2/audiences?advertiserId=42",
            """{"name":"Next","audience_type":"TYPE_X",""" + Members[1..]);
        Assert.Equal(HttpStatusCode.OK, created);
        Assert.NotEqual(id, JsonDocument.Parse(next).RootElement.GetProperty("id").GetString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_bucket))
        {
            Directory.Delete(_bucket, recursive: true);
        }
    }
}
