using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Portal.Core.Adtech.Sandbox;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sandbox;

/// <summary>AdtechA's and AdtechB's remove routes, over HTTP on loopback.</summary>
public sealed class SandboxMemberRoutesTests : IAsyncLifetime
{
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

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string json, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? _sandbox.State.AccessToken);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Member(string email, string phone) => $$"""{"email":["{{email}}"],"phone_number":["{{phone}}"],"zip_code":[]}""";

    /// <summary>Creates an AdtechA audience with two members; its id.</summary>
    private async Task<string> AdtechAAudienceAsync()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "adtech-a/v2/audiences?advertiserId=42",
            $$"""{"name":"A","audience_type":"TYPE_X","members":[{{Member("e1", "p1")}},{{Member("e2", "p2")}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task DeleteAdtechAMembers_OneHeldAndOneNot_RemovesTheHeldOne()
    {
        var id = await AdtechAAudienceAsync();

        var (status, body) = await SendAsync(HttpMethod.Delete, $"adtech-a/v2/audiences/{id}/members?advertiserId=42",
            $$"""{"members":[{{Member("e1", "p1")}},{{Member("e3", "p3")}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"num_received\":2", body);
        Assert.Contains("\"num_removed\":1", body);
        Assert.Equal([SandboxMembers.RowKey(["e2"], ["p2"], [])], _sandbox.State.Members.Of(id));
        Assert.Equal(1, _sandbox.State.AudienceMembers[id]);
    }

    [Fact]
    public async Task DeleteAdtechBData_RowsInTheSchemasOrder_RemovesThem()
    {
        var (_, created) = await SendAsync(HttpMethod.Post, "adtech-b/audiences",
            """{"name":"B","schema":["EMAIL","PHONE","ZIP"],"data":[[["e1","e0"],["p1"],[]],[["e2"],[],["z2"]]]}""");
        var id = System.Text.Json.JsonDocument.Parse(created).RootElement.GetProperty("id").GetString()!;

        var (status, body) = await SendAsync(HttpMethod.Delete, $"adtech-b/audiences/{id}/data",
            """{"schema":["ZIP","PHONE","EMAIL"],"data":[[[],["p1"],["e0","e1"]]]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"num_removed\":1", body);
        Assert.Equal([SandboxMembers.RowKey(["e2"], [], ["z2"])], _sandbox.State.Members.Of(id));
    }

    [Theory]
    [InlineData("adtech-a/v2/audiences/{id}/members", """{"members":[]}""", null, HttpStatusCode.BadRequest, "advertiserId is required")]
    [InlineData("adtech-a/v2/audiences/{id}/members?advertiserId=42", """{"members":[]}""", "wrong", HttpStatusCode.Unauthorized, "access token")]
    [InlineData("adtech-a/v2/audiences/A404/members?advertiserId=42", """{"members":[]}""", null, HttpStatusCode.NotFound, "No audience A404")]
    [InlineData("adtech-a/v2/audiences/{id}/members?advertiserId=42", """{"name":"x"}""", null, HttpStatusCode.BadRequest, "members is required")]
    [InlineData("adtech-a/v2/audiences/{id}/members?advertiserId=42", """{"members":""", null, HttpStatusCode.BadRequest, "Body is not JSON")]
    public async Task DeleteAdtechAMembers_BadRequest_SaysWhat(string path, string json, string? token, HttpStatusCode expected, string message)
    {
        var id = await AdtechAAudienceAsync();

        var (status, body) = await SendAsync(HttpMethod.Delete, path.Replace("{id}", id), json, token);

        Assert.Equal(expected, status);
        Assert.Contains(message, body);
        Assert.Equal(2, _sandbox.State.Members.Of(id).Count);
    }

    [Fact]
    public async Task DeleteAdtechBData_RowNotAsTheSchemaSays_SaysWhichRow()
    {
        var (_, created) = await SendAsync(HttpMethod.Post, "adtech-b/audiences", """{"name":"B","schema":["EMAIL","PHONE","ZIP"]}""");
        var id = System.Text.Json.JsonDocument.Parse(created).RootElement.GetProperty("id").GetString()!;

        var (status, body) = await SendAsync(HttpMethod.Delete, $"adtech-b/audiences/{id}/data", """{"schema":["EMAIL","PHONE","ZIP"],"data":[[[],[],[]],[["e"]]]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("data row 1 must be an array of 3 columns", body);
    }
}
