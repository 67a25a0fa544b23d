using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Web.Api;

public sealed class UploadsApiTests(ApiWebFactory portal) : IClassFixture<ApiWebFactory>
{
    private static string Unique(string stem) => $"{stem}-{Guid.NewGuid():N}.csv";

    private async Task<JobRecord> FinishedAsync(long jobId)
    {
        var queries = portal.Services.GetRequiredService<JobQueries>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await queries.GetAsync(jobId) is { IsFinished: true } job)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not finish");
            await Task.Delay(25);
        }
    }

    /// <summary>Imports straight through the importer (as a job would), for tests of the reads.</summary>
    private async Task ImportAsync(string dataset, string partition, string fileName, byte[] content)
    {
        await portal.ReadyClientAsync();
        var path = $"{DatasetFiles.UploadsFolder}/{Guid.NewGuid():N}.csv";
        await portal.Services.GetRequiredService<IBucket>().WriteAsync(path, (s, ct) => s.WriteAsync(content, ct).AsTask());
        var file = await portal.Services.GetRequiredService<DatasetImporter>()
            .ImportAsync(new ImportRequest(dataset, partition, fileName, path, "tests", ImportSource.Upload));
        Assert.Equal(ImportStatus.Imported, file.Status);
    }

    [Fact]
    public async Task Post_RawCsvAsMarketer_Answers202AndTheImportShowsInTheCatalog()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var name = Unique("raw");
        using var body = new ByteArrayContent(Csv("banner_id,campaign_id", "1,7001", "2,7001", "2,7001"));
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var response = await client.PostAsync($"/api/uploads?dataset=impressions&partition=2031-q1&file_name={Uri.EscapeDataString(name)}", body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var jobId = accepted.GetProperty("job_id").GetInt64();
        Assert.EndsWith($"/api/jobs/{jobId}", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Equal(("impressions", "2031-Q1", name), (accepted.GetProperty("dataset").GetString(), accepted.GetProperty("partition").GetString(),
            accepted.GetProperty("file_name").GetString()));
        Assert.Equal(JobStatus.Succeeded, (await FinishedAsync(jobId)).Status);
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/uploads?dataset=impressions&search={Uri.EscapeDataString(name)}");
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(("imported", "upload", 3L, 2L, 1L), (item.GetProperty("status").GetString(), item.GetProperty("source").GetString(),
            item.GetProperty("rows_in").GetInt64(), item.GetProperty("rows_kept").GetInt64(), item.GetProperty("dropped_duplicate").GetInt64()));
        Assert.Equal(jobId, item.GetProperty("job_id").GetInt64());
        var one = await client.GetFromJsonAsync<JsonElement>($"/api/uploads/{item.GetProperty("id").GetInt64()}");
        Assert.Equal(name, one.GetProperty("file_name").GetString());
    }

    [Fact]
    public async Task Post_Multipart_TakesTheFieldsAndTheFilesName()
    {
        var client = await portal.SignedInClientAsync(Roles.Admin);
        var name = Unique("multi");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("clicks"), "dataset" },
            { new StringContent("2031-Q2"), "partition" },
            { new ByteArrayContent(Csv("click_id,banner_id,campaign_id", "1,1,7002")), "file", name },
        };

        var response = await client.PostAsync("/api/uploads", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(name, accepted.GetProperty("file_name").GetString());
        Assert.Equal(JobStatus.Succeeded, (await FinishedAsync(accepted.GetProperty("job_id").GetInt64())).Status);
    }

    /// <summary>A multipart body written by hand, as a broken client sends it.</summary>
    private static ByteArrayContent RawMultipart(string body)
    {
        var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");
        return content;
    }

    private static string FilePart(string name) =>
        $"--b0undary\r\nContent-Disposition: form-data; name=\"dataset\"\r\n\r\nimpressions\r\n"
        + $"--b0undary\r\nContent-Disposition: form-data; name=\"partition\"\r\n\r\n2031-Q1\r\n"
        + $"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
        + "banner_id,campaign_id\r\n1,7001\r\n";

    [Fact]
    public async Task Post_MultipartWithMoreThan16KilobytesBeforeItsFirstBoundary_Answers400SayingSo()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var name = Unique("preamble");
        using var body = RawMultipart(new string('x', 20_000) + "\r\n" + FilePart(name) + "\r\n--b0undary--\r\n");

        var response = await client.PostAsync("/api/uploads", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bad_request", problem.GetProperty("reason").GetString());
        Assert.StartsWith("The multipart body is malformed: ", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("16384", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_MultipartCutShortAfterAPart_Answers400SayingItEndsEarly()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        using var body = RawMultipart("--b0undary\r\nContent-Disposition: form-data; name=\"dataset\"\r\n\r\nimpressions\r\n--b0undary");

        var response = await client.PostAsync("/api/uploads", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("bad_request", "The multipart body ends before its closing boundary."),
            (problem.GetProperty("reason").GetString(), problem.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Post_MultipartCutShortInItsFilePart_Answers400AndQueuesNoImport()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var name = Unique("cut");
        using var body = RawMultipart(FilePart(name));

        var response = await client.PostAsync("/api/uploads", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("bad_request", "The multipart body ends in the file part, before its closing boundary."),
            (problem.GetProperty("reason").GetString(), problem.GetProperty("message").GetString()));
        var jobs = portal.Services.GetRequiredService<JobQueries>();
        var filter = new JobFilter(Search: name);
        var sort = new GridSort<JobSortField>(JobSortField.Created, Descending: true);
        Assert.Equal(0, (await jobs.ListAsync(filter, sort, 0, 10)).Total);
        using var whole = RawMultipart(FilePart(name) + "\r\n--b0undary--\r\n");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/uploads", whole)).StatusCode);
        Assert.Equal(1, (await jobs.ListAsync(filter, sort, 0, 10)).Total);
    }

    [Fact]
    public async Task Post_RejectedFile_JobFailsAndTheCatalogSaysWhere()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var name = Unique("typo");
        using var body = new ByteArrayContent(Csv("conversion_id,click_id,revenue", "1,1,1.5", "2,2,two"));

        var response = await client.PostAsync($"/api/uploads?dataset=conversions&partition=2031-Q3&file_name={name}", body);
        var job = await FinishedAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetInt64());

        Assert.Equal(JobStatus.Failed, job.Status);
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/uploads?status=rejected&search={name}");
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("line 3, column 3 (\"revenue\"): 'two' is not a valid Double", item.GetProperty("error").GetString());
        Assert.Equal((3L, "revenue"), (item.GetProperty("error_line").GetInt64(), item.GetProperty("error_column").GetString()));
    }

    [Fact]
    public async Task Post_AsViewer_Answers403()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);
        using var body = new ByteArrayContent(Csv("banner_id,campaign_id", "1,1"));

        var response = await client.PostAsync($"/api/uploads?dataset=impressions&partition=2031-Q1&file_name={Unique("viewer")}", body);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/uploads/scan", null)).StatusCode);
    }

    [Fact]
    public async Task Post_ForceTrueAsMarketer_ReplacesTheEarlierFile()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var name = Unique("forced");
        await ImportAsync("impressions", "2031-Q3", name, Csv("banner_id,campaign_id", "1,7003"));
        using var body = new ByteArrayContent(Csv("banner_id,campaign_id", "1,7003", "2,7003"));
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var response = await client.PostAsync($"/api/uploads?dataset=impressions&partition=2031-Q3&file_name={name}&force=true", body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetInt64();
        Assert.Equal(JobStatus.Succeeded, (await FinishedAsync(jobId)).Status);
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/uploads?dataset=impressions&search={Uri.EscapeDataString(name)}");
        var items = page.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("status").GetString(), i.GetProperty("rows_kept").GetInt64())).ToList();
        Assert.Equal([("imported", 2L), ("replaced", 1L)], items);
    }

    [Fact]
    public async Task Post_ForceTrueAsViewer_Answers403()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);
        using var body = new ByteArrayContent(Csv("banner_id,campaign_id", "1,1"));

        var response = await client.PostAsync($"/api/uploads?dataset=impressions&partition=2031-Q3&file_name={Unique("viewer")}&force=true", body);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Post_BadPartitionOrNameTaken_Answers400Or409WithTheReason()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var name = Unique("taken");
        await ImportAsync("impressions", "2031-Q4", name, Csv("banner_id,campaign_id", "1,7004"));

        using var bad = new ByteArrayContent(Csv("banner_id,campaign_id", "1,1"));
        var badResponse = await client.PostAsync($"/api/uploads?dataset=impressions&partition=Q9&file_name={Unique("bad")}", bad);
        using var again = new ByteArrayContent(Csv("banner_id,campaign_id", "1,1"));
        var takenResponse = await client.PostAsync($"/api/uploads?dataset=impressions&partition=2031-Q4&file_name={name}", again);

        Assert.Equal(HttpStatusCode.BadRequest, badResponse.StatusCode);
        Assert.Equal("bad_partition", (await badResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Conflict, takenResponse.StatusCode);
        var taken = await takenResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("already_imported", taken.GetProperty("reason").GetString());
        Assert.StartsWith($"A file named '{name}' was already imported", taken.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Datasets_List_GivesTheSixSchemas()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var datasets = (await client.GetFromJsonAsync<JsonElement>("/api/datasets")).EnumerateArray().ToList();

        Assert.Equal(["users", "credit_card_transactions", "upi_transactions", "impressions", "clicks", "conversions"],
            datasets.Select(d => d.GetProperty("name").GetString()));
        var users = datasets[0];
        Assert.Equal(("none", "users"), (users.GetProperty("partition").GetString(), users.GetProperty("table").GetString()));
        Assert.Equal(["user_id", "name", "email", "phone", "zip_code", "city", "city_tier", "created_at"],
            users.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var userId = users.GetProperty("columns")[0];
        Assert.Equal(("Int64", true, true), (userId.GetProperty("type").GetString(), userId.GetProperty("key").GetBoolean(), userId.GetProperty("required").GetBoolean()));
        Assert.Equal("quarter", datasets[3].GetProperty("partition").GetString());
    }

    [Fact]
    public async Task Health_Dataset_GivesItsDaysByItsDateColumnOrByImportDay()
    {
        // The import's day by the real clock, read on both sides so that a run across midnight cannot fail.
        var before = DateOnly.FromDateTime(DateTime.UtcNow);
        await ImportAsync("users", "", Unique("health-users"), Csv(UsersHeader, User(70_001)));
        await ImportAsync("impressions", "2031-Q2", Unique("health-impressions"), Csv("banner_id,campaign_id", "1,7002"));
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var health = await client.GetFromJsonAsync<JsonElement>("/api/datasets/users/health");
        var byImport = await client.GetFromJsonAsync<JsonElement>("/api/datasets/impressions/health");
        var unknown = await client.GetAsync("/api/datasets/nope/health");
        var badDay = await client.GetAsync("/api/datasets/users/health?from=yesterday");

        Assert.Equal(("users", "created_at"), (health.GetProperty("dataset").GetString(), health.GetProperty("days_by").GetString()));
        // User 70001 joined on 2025-01-09: the day its row counts on, whenever it was imported.
        var joined = health.GetProperty("days").EnumerateArray().Single(d => d.GetProperty("day").GetString() == "2025-01-09");
        Assert.True(joined.GetProperty("rows_kept").GetInt64() >= 1);
        Assert.Equal(JsonValueKind.Array, joined.GetProperty("flags").ValueKind);
        Assert.Equal("import_day", byImport.GetProperty("days_by").GetString());
        var day = byImport.GetProperty("days").EnumerateArray().Last();
        var after = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.InRange(DateOnly.ParseExact(day.GetProperty("day").GetString()!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), before, after);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badDay.StatusCode);
    }

    [Fact]
    public async Task Campaign_AfterUploads_GivesRowsPerBannerAndQuarterAndTheBanners()
    {
        await ImportAsync("impressions", "2032-Q1", Unique("ci"), Csv("banner_id,campaign_id", "1,8001", "2,8001", "3,8001"));
        await ImportAsync("clicks", "2032-Q1", Unique("cc"), Csv("click_id,banner_id,campaign_id", "1,1,8001", "2,2,8001", "3,2,8001"));
        await ImportAsync("conversions", "2032-Q1", Unique("cv"), Csv("conversion_id,click_id,revenue", "1,2,4.5"));
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var campaign = await client.GetFromJsonAsync<JsonElement>("/api/campaigns/8001");
        var missing = await client.GetAsync("/api/campaigns/999999");

        Assert.Equal((8001L, "2032-Q1"), (campaign.GetProperty("campaign_id").GetInt64(), campaign.GetProperty("quarter").GetString()));
        Assert.Equal([(1L, 0.0, 1L), (2L, 4.5, 2L), (3L, 0.0, 0L)], campaign.GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("banner_id").GetInt64(), r.GetProperty("revenue").GetDouble(), r.GetProperty("clicks").GetInt64())));
        Assert.Equal([2L, 1L, 3L], campaign.GetProperty("banners").EnumerateArray().Select(b => b.GetInt64()));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("/api/uploads")]
    [InlineData("/api/datasets")]
    [InlineData("/api/datasets/users/health")]
    [InlineData("/api/campaigns/1")]
    public async Task Reads_SignedOut_Answer401(string path)
    {
        var client = await portal.ReadyClientAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
    }
}
