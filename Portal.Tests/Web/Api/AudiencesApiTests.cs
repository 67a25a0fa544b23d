using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Audiences.AudienceIndexTests;

namespace Portal.Tests.Web.Api;

public sealed class AudiencesApiTests(ApiWebFactory portal) : IClassFixture<ApiWebFactory>
{
    private static List<string> Names(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToList();

    [Fact]
    public async Task List_FilesWrittenRenamedAndDeletedBehindThePortal_ShowsTheBucketWithTheUnparsableOneInvalid()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);
        var bucket = portal.Services.GetRequiredService<IBucket>();
        var p = "api_" + Guid.NewGuid().ToString("N")[..8];
        WriteThreeBehind(bucket, p);
        var before = await client.GetFromJsonAsync<JsonElement>($"/api/audiences?per_page=100&search={p}");
        Assert.Equal([$"{p}_a", $"{p}_b", $"{p}_c"], Names(before));

        ChangeThreeBehind(bucket, p);
        var after = await client.GetFromJsonAsync<JsonElement>($"/api/audiences?per_page=100&search={p}");

        Assert.Equal([$"{p}_a", $"{p}_b2", $"{p}_broken"], Names(after));
        var items = after.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(("Rewritten", true), (items[0].GetProperty("description").GetString(), items[0].GetProperty("valid").GetBoolean()));
        Assert.False(items[2].GetProperty("valid").GetBoolean());
        Assert.StartsWith($"{p}_broken.yml:", items[2].GetProperty("first_issue").GetString(), StringComparison.Ordinal);
        var invalid = await client.GetFromJsonAsync<JsonElement>($"/api/audiences?status=invalid&search={p}");
        Assert.Equal([$"{p}_broken"], Names(invalid));
    }

    [Fact]
    public async Task Get_AnIndexedAudience_GivesItsStatusAtEachAdtech()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);
        var name = "api_one_" + Guid.NewGuid().ToString("N")[..8];
        WriteBehind(portal.Services.GetRequiredService<IBucket>(), $"{name}.yml", State(name));

        var audience = await client.GetFromJsonAsync<JsonElement>($"/api/audiences/{name}");

        Assert.Equal(("Big spenders", JsonValueKind.Null), (audience.GetProperty("source_segment").GetString(), audience.GetProperty("members").ValueKind));
        Assert.Equal([("adtechA", "not_fetched", (string?)null), ("adtechB", "posted", "42")], audience.GetProperty("adtechs").EnumerateArray()
            .Select(a => (a.GetProperty("adtech").GetString()!, a.GetProperty("status").GetString()!, a.GetProperty("adtech_audience_id").GetString())));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/audiences/none_such")).StatusCode);
    }

    [Fact]
    public async Task List_AnUnknownStatus_Answers400NamingTheParameter()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var response = await client.GetAsync("/api/audiences?status=lost");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("must be one of any, pending, posted, not_fetched, failing, invalid",
            problem.GetProperty("errors").GetProperty("status")[0].GetString(), StringComparison.Ordinal);
    }
}
