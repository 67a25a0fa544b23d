using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Core.Accounts;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Web.Api;

/// <summary>Request bodies over a route's cap answer 413 naming the cap, on real Kestrel (which enforces the per-request limit).</summary>
public sealed class BodyLimitTests(KestrelPortalWebFactory portal) : IClassFixture<KestrelPortalWebFactory>
{
    private const string JsonLimit = "1 MiB (1,048,576 bytes)";
    private const long ApiLimitsAllowance = 64 * 1024;

    /// <summary>A rule whose description makes the body a little over 1 MiB.</summary>
    private static string RuleOverOneMebibyte() => JsonSerializer.Serialize(new
    {
        rule_name = "big",
        description = new string('d', 1024 * 1024),
        conditions = new[] { new { field = "total_spend", @operator = ">", value = 100 } },
    });

    private async Task AssertTooLargeAsync(HttpResponseMessage response, string limit)
    {
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge,
            $"Expected 413, got {(int)response.StatusCode}. The server logged:\n{portal.LoggedErrors()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(413, problem.GetProperty("status").GetInt32());
        Assert.Equal($"The request body is larger than the {limit} this route accepts.", problem.GetProperty("detail").GetString());
    }

    /// <summary>A body without a declared length (chunked), so the server finds out only while reading.</summary>
    private sealed class ChunkedContent(byte[] bytes, string mediaType) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 8192)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(8192, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }

        public ChunkedContent Typed()
        {
            Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
            return this;
        }
    }

    [Fact]
    public async Task PostRules_JsonOverOneMebibyte_Answers413NamingTheLimit()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/rules") { Content = new StringContent(RuleOverOneMebibyte(), Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true; // as clients send a large body: the 413 comes before the body is sent

        var response = await client.SendAsync(request);

        await AssertTooLargeAsync(response, JsonLimit);
    }

    [Fact]
    public async Task PostRules_ChunkedJsonOverOneMebibyte_Answers413NamingTheLimit()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        var response = await client.PostAsync("/api/rules", new ChunkedContent(Encoding.UTF8.GetBytes(RuleOverOneMebibyte()), "application/json").Typed());

        await AssertTooLargeAsync(response, JsonLimit);
    }

    [Fact]
    public async Task PostRules_JsonUnderTheLimit_IsRead()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var body = JsonSerializer.Serialize(new { rule_name = $"Fits {Guid.NewGuid():N}", description = new string('d', 900 * 1024),
            conditions = new[] { new { field = "total_spend", @operator = ">", value = 100 } } });

        var response = await client.PostAsync("/api/rules", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task PostUploads_MultipartLongerThanTheUploadCap_Answers413NamingTheCap()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        // A file part whose rows take the body just past the cap. (Not a preamble: the multipart reader refuses more
        // than 16 KB before the first boundary as malformed, and which limit it met first depended on the reads.)
        var rows = string.Join("\n", Enumerable.Range(1, (int)((KestrelPortalWebFactory.MaxUploadBytes + ApiLimitsAllowance) / 60) + 1).Select(i => User(i)));
        var body = Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\n\r\n"
            + UsersHeader + "\n" + rows + "\r\n--b--\r\n");

        var response = await client.PostAsync("/api/uploads?dataset=users", new ChunkedContent(body, "multipart/form-data; boundary=b").Typed());

        await AssertTooLargeAsync(response, $"{KestrelPortalWebFactory.MaxUploadBytes + ApiLimitsAllowance:N0} bytes");
    }

    [Fact]
    public async Task PostUploads_FormFieldOverTheCap_Answers413NamingTheCap()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        using var form = new MultipartFormDataContent("b")
        {
            { new StringContent(new string('u', 5000)), "dataset" },
            { new ByteArrayContent(Csv(UsersHeader, User(1))), "file", "users.csv" },
        };

        var response = await client.PostAsync("/api/uploads", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The form field 'dataset' is longer than the 1,024 characters a field may be.", problem.GetProperty("message").GetString());
    }

    [Fact]
    public async Task PostUploads_RawFileOverTheUploadCap_Answers413WithTheUploadsMessage()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var rows = Enumerable.Range(1, 400).Select(i => User(i)).ToArray();
        using var body = new ByteArrayContent(Csv(UsersHeader, rows));
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var response = await client.PostAsync("/api/uploads?dataset=users&file_name=many.csv", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("an upload may be", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
