using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Api;
using Portal.Core.Accounts;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Web.Api;

/// <summary>A signed-in person's cookie alone cannot change anything through the API: another site could send it.</summary>
public sealed class ApiRequestProofTests(ApiWebFactory portal) : IClassFixture<ApiWebFactory>
{
    private const string SameOrigin = "http://localhost";

    /// <summary>A marketer's client that sends only the cookie, as a form on another site would.</summary>
    private async Task<HttpClient> CookieOnlyAsync()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        client.DefaultRequestHeaders.Remove(ApiRequestProof.HeaderName);
        return client;
    }

    private static MultipartFormDataContent UploadForm() => new()
    {
        { new StringContent("clicks"), "dataset" },
        { new StringContent("2032-Q1"), "partition" },
        { new ByteArrayContent(Csv("click_id,banner_id,campaign_id", "1,1,7003")), "file", $"proof-{Guid.NewGuid():N}.csv" },
    };

    private async Task<long> RuleAsync()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var created = await client.PostAsJsonAsync("/api/rules", new
        {
            rule_name = $"Proof {Guid.NewGuid():N}"[..14],
            description = "Rule description",
            conditions = new object[] { new { field = "total_spend", @operator = ">", value = 100 } },
            schedule = "@daily",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rule_id").GetInt64();
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Post(string path, HttpContent? content, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    [Fact]
    public async Task Upload_MultipartWithCookieAlone_Answers403WithTheReason()
    {
        var client = await CookieOnlyAsync();
        using var form = UploadForm();

        var response = await client.PostAsync("/api/uploads", form);

        await AssertRefusedAsync(response, "must send the header 'X-Requested-With: portal'");
    }

    [Fact]
    public async Task Trigger_BodylessWithCookieAlone_Answers403WithTheReason()
    {
        var id = await RuleAsync();
        var client = await CookieOnlyAsync();

        var response = await client.PostAsync($"/api/rules/{id}/trigger", null);

        await AssertRefusedAsync(response, "must send the header 'X-Requested-With: portal'");
    }

    [Fact]
    public async Task Trigger_CookieAloneWithSameOrigin_Answers403()
    {
        var id = await RuleAsync();
        var client = await CookieOnlyAsync();

        var response = await client.SendAsync(Post($"/api/rules/{id}/trigger", null, ("Origin", SameOrigin), ("Sec-Fetch-Site", "same-origin")));

        await AssertRefusedAsync(response, "X-Requested-With");
    }

    [Fact]
    public async Task Writes_WithHeaderAndSameOrigin_Succeed()
    {
        var id = await RuleAsync();
        var client = await CookieOnlyAsync();
        using var form = UploadForm();
        var proof = (ApiRequestProof.HeaderName, ApiRequestProof.HeaderValue);

        var upload = await client.SendAsync(Post("/api/uploads", form, proof, ("Origin", SameOrigin), ("Sec-Fetch-Site", "same-origin")));
        var trigger = await client.SendAsync(Post($"/api/rules/{id}/trigger", null, proof, ("Origin", SameOrigin)));
        var withoutOrigin = await client.SendAsync(Post($"/api/rules/{id}/trigger", null, proof));

        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, withoutOrigin.StatusCode);
    }

    [Theory]
    [InlineData("https://attacker.example")]
    [InlineData("http://localhost:8081")]
    [InlineData("http://files.localhost")]
    [InlineData("null")]
    public async Task Trigger_CrossSiteOriginWithHeader_Answers403(string origin)
    {
        var id = await RuleAsync();
        var client = await CookieOnlyAsync();

        var response = await client.SendAsync(Post($"/api/rules/{id}/trigger", null, (ApiRequestProof.HeaderName, ApiRequestProof.HeaderValue), ("Origin", origin)));

        await AssertRefusedAsync(response, $"came from {origin}, not from this portal");
    }

    [Theory]
    [InlineData("same-site")]
    [InlineData("cross-site")]
    public async Task Upload_SecFetchSiteFromAnotherSiteWithHeader_Answers403(string fetchSite)
    {
        var client = await CookieOnlyAsync();
        using var form = UploadForm();

        var response = await client.SendAsync(Post("/api/uploads", form, (ApiRequestProof.HeaderName, ApiRequestProof.HeaderValue), ("Sec-Fetch-Site", fetchSite)));

        await AssertRefusedAsync(response, $"Sec-Fetch-Site: {fetchSite}");
    }

    [Fact]
    public async Task Get_WithCookieAlone_Answers200()
    {
        var client = await CookieOnlyAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/rules")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/uploads")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);
    }
}
