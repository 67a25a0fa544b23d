using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sandbox;

/// <summary>A sandbox's audiences written to the bucket and read back into a new sandbox, as the portal does across a restart.</summary>
public sealed class SandboxSavedTests : DatabaseTest
{
    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(SandboxServer sandbox, HttpMethod method, string path, string json)
    {
        using var http = new HttpClient { BaseAddress = new Uri(sandbox.BaseUrl) };
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.State.AccessToken);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Member(string email, string phone) => $$"""{"email":["{{email}}"],"phone_number":["{{phone}}"],"zip_code":[]}""";

    private static async Task<string> CreateAsync(SandboxServer sandbox, string name)
    {
        var (status, body) = await SendAsync(sandbox, HttpMethod.Post, "adtech-a/v2/audiences?advertiserId=42",
            $$"""{"name":"{{name}}","audience_type":"TYPE_X","members":[{{Member("e1", "p1")}},{{Member("e2", "p2")}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task WriteThenRead_AudienceAndList_ANewSandboxKeepsThemAndGivesNewIds()
    {
        var bucket = new LocalBucket(Folder.Path);
        string id;
        string list;
        UInt128 row = SandboxMembers.RowKey(["e9"], ["p9"], []);
        await using (var before = await SandboxServer.StartAsync())
        {
            id = await CreateAsync(before, "Kept");
            list = before.State.DataManager.Create("123", "Kept list")!;
            before.State.DataManager.Add(list, [row]);
            await SandboxSaved.WriteAsync(bucket, before.State, CancellationToken.None);
        }

        await using var after = await SandboxServer.StartAsync();
        Assert.True(await SandboxSaved.ReadAsync(bucket, after.State, CancellationToken.None));

        // The audience is there with its members: a remove is applied (a sandbox that forgot it answers 404).
        var (status, body) = await SendAsync(after, HttpMethod.Delete, $"adtech-a/v2/audiences/{id}/members?advertiserId=42", $$"""{"members":[{{Member("e1", "p1")}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"num_removed\":1", body);
        Assert.Equal([SandboxMembers.RowKey(["e2"], ["p2"], [])], after.State.Members.Of(id));
        Assert.Equal(1, after.State.AudienceMembers[id]);
        Assert.Equal(id, after.State.AudienceNames["adtechA\nKept"]);
        Assert.NotEqual(id, await CreateAsync(after, "New"));
        Assert.Equal(list, after.State.DataManager.Find("123", "Kept list"));
        Assert.Equal([row], after.State.DataManager.Members(list));
        Assert.NotEqual(list, after.State.DataManager.Create("123", "Another list"));
    }

    [Fact]
    public async Task Read_NothingSaved_FalseAndTheSandboxStaysEmpty()
    {
        var state = new SandboxState();

        Assert.False(await SandboxSaved.ReadAsync(new LocalBucket(Folder.Path), state, CancellationToken.None));

        Assert.Empty(state.AudienceMembers);
    }
}
