using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Dashboard;
using Portal.Core.Jobs;
using Portal.Core.Segments;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Api;

/// <summary><c>POST /api/jobs</c> starts only the kinds people may start, each with the payload it takes.</summary>
public sealed class JobsApiTests(ApiWebFactory portal) : IClassFixture<ApiWebFactory>
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<int> JobsOfKindAsync(string kind) => (await portal.Services.GetRequiredService<JobQueries>()
        .ListAsync(new JobFilter([], kind), JobQueries.Newest, 0, 100)).Total;

    [Fact]
    public async Task Post_DatasetImportAimedAtAStateFile_Answers400AndTheFileStays()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var bucket = portal.Services.GetRequiredService<IBucket>();
        var state = $"state/victim_{Guid.NewGuid():N}.yml";
        await bucket.WriteTextAsync(state, "user_id,name,email,phone,zip_code,city,city_tier,created_at\n", null);
        var payload = JsonSerializer.Serialize(new { dataset = "x", file_name = "a.csv", path = state });

        var response = await client.PostAsJsonAsync("/api/jobs", new { kind = DatasetImportJob.Kind, payload });

        var problem = await ProblemAsync(response);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("kind").EnumerateArray()).GetString();
        Assert.Contains($"The job '{DatasetImportJob.Kind}' is started by the portal itself", message, StringComparison.Ordinal);
        Assert.Equal(0, await JobsOfKindAsync(DatasetImportJob.Kind));
        Assert.True(await bucket.ExistsAsync(state));
    }

    [Theory]
    [InlineData(DatasetImportJob.Kind, "is started by the portal itself")]
    [InlineData(RefreshSegmentJob.Kind, "is started by the portal itself")]
    [InlineData("no.such-kind", "Unknown job kind 'no.such-kind'")]
    public async Task Post_KindPeopleMayNotStart_Answers400NamingTheKind(string kind, string expected)
    {
        var client = await portal.SignedInClientAsync(Roles.Admin);

        var problem = await ProblemAsync(await client.PostAsJsonAsync("/api/jobs", new { kind }));

        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("kind", out _));
    }

    [Fact]
    public async Task Post_PayloadForAKindThatTakesNone_Answers400NamingThePayload()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        var problem = await ProblemAsync(await client.PostAsJsonAsync("/api/jobs", new { kind = RecomputeDashboardTotalsJob.Kind, payload = new { x = 1 } }));

        Assert.Equal($"The job '{RecomputeDashboardTotalsJob.Kind}' takes no payload.",
            Assert.Single(problem.GetProperty("errors").GetProperty("payload").EnumerateArray()).GetString());
    }

    [Theory]
    [InlineData("""{"kind":"audiences.catalog-run","payload":{"audience":"../state/x"}}""", "payload.audience")]
    [InlineData("""{"kind":"audiences.catalog-run","payload":"{\"path\":\"state/x.yml\"}"}""", "payload.path")]
    [InlineData("""{"kind":"audiences.catalog-run","payload":{"adtech":"anywhere"}}""", "payload.adtech")]
    [InlineData("""{"kind":"audiences.catalog-run","payload":[1]}""", "payload")]
    [InlineData("""{"kind":"audiences.catalog-run","payload":{"audience":"a","sync":"sometimes"}}""", "payload.sync")]
    [InlineData("""{"kind":"audiences.catalog-run","payload":{"sync":"changes"}}""", "payload.sync")]
    [InlineData("""{"kind":"audiences.catalog-run","payload":{"fetch":true}}""", "payload.fetch")]
    public async Task Post_CatalogRunWithABadPayload_Answers400NamingTheField(string body, string field)
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        var problem = await ProblemAsync(await client.PostAsync("/api/jobs", new StringContent(body, System.Text.Encoding.UTF8, "application/json")));

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Get_Job_NamesItsFieldsInSnakeCaseLikeEveryRoute()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var created = await (await client.PostAsJsonAsync("/api/jobs", new { kind = CatalogRunJob.Kind, payload = new { audience = "nobody_here" } }))
            .Content.ReadFromJsonAsync<JsonElement>();

        var job = await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{created.GetProperty("id").GetInt64()}");

        var names = job.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("progress_done", names);
        Assert.Contains("requested_by", names);
        Assert.Contains("created_at", names);
        Assert.All(names, n => Assert.Equal(n.ToLowerInvariant(), n));
    }

    [Fact]
    public async Task Post_CatalogRunSyncOfOneAudience_Answers201AndStoresTheSync()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        var response = await client.PostAsJsonAsync("/api/jobs",
            new { kind = CatalogRunJob.Kind, payload = new { audience = "nobody_here", adtech = "adtechB", sync = "changes", fetch = true } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        var stored = await portal.Services.GetRequiredService<JobQueries>().GetAsync(job.GetProperty("id").GetInt64());
        Assert.Equal(CatalogRunJob.FetchAndSyncPayloadFor("nobody_here", "adtechB"), stored!.Payload);
    }

    [Fact]
    public async Task Post_CatalogRunForOneAudience_Answers201WithTheJob()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        var response = await client.PostAsJsonAsync("/api/jobs", new { kind = CatalogRunJob.Kind, payload = new { audience = "nobody_here" }, title = "One audience" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((CatalogRunJob.Kind, "One audience"), (job.GetProperty("kind").GetString(), job.GetProperty("title").GetString()));
        var stored = await portal.Services.GetRequiredService<JobQueries>().GetAsync(job.GetProperty("id").GetInt64());
        Assert.Equal("""{"audience":"nobody_here"}""", stored!.Payload);
    }

    [Fact]
    public async Task Post_TitleLongerThan200_Answers400NamingTheTitle()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        var problem = await ProblemAsync(await client.PostAsJsonAsync("/api/jobs", new { kind = RecomputeDashboardTotalsJob.Kind, title = new string('t', 300) }));

        Assert.True(problem.GetProperty("errors").TryGetProperty("title", out _));
    }
}
