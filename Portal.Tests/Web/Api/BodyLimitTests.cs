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
    /// <summary>The uploads route's limit: the upload cap and 64 KiB for the multipart form.</summary>
    private const long RouteLimit = KestrelPortalWebFactory.MaxUploadBytes + 64 * 1024;

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

    /// <summary>The uploads route's 413, whichever limit was met: its own error shape, <c>{message, reason}</c>.</summary>
    private async Task AssertUploadTooLargeAsync(HttpResponseMessage response, string message)
    {
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge,
            $"Expected 413, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}. The server logged:\n{portal.LoggedErrors()}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(message, problem.GetProperty("message").GetString());
        Assert.Equal("too_large", problem.GetProperty("reason").GetString());
    }

    /// <summary>
    /// A body without a declared length (chunked), so the server finds out only while reading; sent in 8 KB pieces,
    /// <paramref name="pause"/> milliseconds apart (0: as fast as the connection takes them).
    /// </summary>
    private sealed class ChunkedContent(byte[] bytes, string mediaType, int pause = 0) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 8192)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(8192, bytes.Length - offset)));
                if (pause > 0)
                {
                    await stream.FlushAsync();
                    await Task.Delay(pause);
                }
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
    public async Task PostUploads_MultipartLongerThanTheRouteLimit_Answers413NamingTheLimitInTheUploadsShape()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        // The bulk is in the fields' part headers (the multipart reader takes up to 16 KB of them a part), so the body
        // passes the route's limit before any file part: with a file part over the upload cap instead, which limit is met
        // first depends on how much of the body has arrived at the server's first read.
        var padding = new string('p', 15_000);
        var fields = string.Concat(Enumerable.Range(1, 6).Select(i =>
            $"--b\r\nContent-Disposition: form-data; name=\"note{i}\"\r\nX-Padding: {padding}\r\n\r\nx\r\n"));
        var body = Encoding.UTF8.GetBytes(fields + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\n\r\n"
            + UsersHeader + "\n" + User(1) + "\r\n--b--\r\n");
        Assert.True(body.Length > RouteLimit);

        var response = await client.PostAsync("/api/uploads?dataset=users", new ChunkedContent(body, "multipart/form-data; boundary=b").Typed());

        await AssertUploadTooLargeAsync(response, $"The request body is larger than the {RouteLimit:N0} bytes this route accepts.");
    }

    [Fact]
    public async Task PostUploads_DeclaredLengthOverTheRouteLimit_Answers413BeforeReadingInTheUploadsShape()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        using var form = new MultipartFormDataContent("b")
        {
            { new ByteArrayContent(Csv(UsersHeader, Enumerable.Range(1, (int)(RouteLimit / 50)).Select(i => User(i)).ToArray())), "file", "users.csv" },
        };
        await form.LoadIntoBufferAsync(); // sent with its Content-Length
        Assert.True(form.Headers.ContentLength > RouteLimit);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/uploads?dataset=users") { Content = form };
        request.Headers.ExpectContinue = true;

        var response = await client.SendAsync(request);

        await AssertUploadTooLargeAsync(response, $"The request body is larger than the {RouteLimit:N0} bytes this route accepts.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)] // the body arriving piece by piece: the same answer
    public async Task PostUploads_MultipartFileOverTheUploadCap_Answers413NamingTheCap(int pause)
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var body = Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\n\r\n"
            + UsersHeader + "\n" + string.Join("\n", Enumerable.Range(1, 400).Select(i => User(i))) + "\r\n--b--\r\n");
        Assert.InRange(body.Length, KestrelPortalWebFactory.MaxUploadBytes + 1, RouteLimit); // over the file's cap, under the route's

        var response = await client.PostAsync("/api/uploads?dataset=users", new ChunkedContent(body, "multipart/form-data; boundary=b", pause).Typed());

        await AssertUploadTooLargeAsync(response, $"The file is larger than the {KestrelPortalWebFactory.MaxUploadBytes:N0} bytes an upload may be.");
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

        await AssertUploadTooLargeAsync(response, "The form field 'dataset' is longer than the 1,024 characters a field may be.");
    }

    [Fact]
    public async Task PostUploads_RawFileOverTheUploadCap_Answers413WithTheUploadsMessage()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var rows = Enumerable.Range(1, 400).Select(i => User(i)).ToArray();
        using var body = new ByteArrayContent(Csv(UsersHeader, rows));
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var response = await client.PostAsync("/api/uploads?dataset=users&file_name=many.csv", body);

        await AssertUploadTooLargeAsync(response, $"The file is larger than the {KestrelPortalWebFactory.MaxUploadBytes:N0} bytes an upload may be.");
    }
}
