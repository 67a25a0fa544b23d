using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Accounts;
using Portal.Core.Dashboard;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Api;

public sealed class RoleRulesTests : IClassFixture<PortalWebFactory>
{
    private readonly PortalWebFactory _portal;

    public RoleRulesTests(PortalWebFactory portal) => _portal = portal;

    [Theory]
    [InlineData("/api/jobs")]
    [InlineData("/api/me")]
    [InlineData("/api/dashboard/totals")]
    public async Task Api_SignedOut_Answers401(string path)
    {
        var client = await _portal.ReadyClientAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/jobs")]
    [InlineData("/admin")]
    public async Task Page_SignedOut_RedirectsToSignIn(string path)
    {
        var client = await _portal.ReadyClientAsync();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WrongPassword_SaysSoAndSetsNoCookie()
    {
        var client = await _portal.ReadyClientAsync();
        var response = await PortalWebFactory.SignInAsync(client, PortalWebFactory.AdminEmail, "wrong-password");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong email or password, or the account is locked.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Viewer_QueueingAJobThroughTheApi_IsForbidden()
    {
        var client = await _portal.SignedInClientAsync(Roles.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/jobs")).StatusCode);
        var post = await client.PostAsJsonAsync("/api/jobs", new { kind = RecomputeDashboardTotalsJob.Kind });
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/jobs/1/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/jobs/1/retry", null)).StatusCode);
    }

    [Fact]
    public async Task Viewer_AdminPage_IsDenied()
    {
        var client = await _portal.SignedInClientAsync(Roles.Viewer);
        var response = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/jobs")).StatusCode);
    }

    [Fact]
    public async Task Marketer_QueueingAJobThroughTheApi_IsCreatedAndRuns()
    {
        var client = await _portal.SignedInClientAsync(Roles.Marketer);
        var post = await client.PostAsJsonAsync("/api/jobs", new { kind = RecomputeDashboardTotalsJob.Kind });
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        var id = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        string status;
        do
        {
            await Task.Delay(50);
            status = (await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("status").GetString()!;
        }
        while (status is "Queued" or "Running" && DateTime.UtcNow < deadline);
        Assert.Equal("Succeeded", status);
    }

    [Fact]
    public async Task Api_UnknownStatusFilter_Answers400WithTheChoices()
    {
        var client = await _portal.SignedInClientAsync(Roles.Viewer);
        var response = await client.GetAsync("/api/jobs?status=Done");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown status in 'Done'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
