using System.Net;
using Portal.Core.Accounts;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web;

/// <summary>
/// Each page's first answer is rendered on the server before the browser connects (prerendering), then the page is
/// disposed there: nothing it does on disposal may need the browser (JavaScript interop), which is not there yet.
/// </summary>
public sealed class PrerenderTests(KestrelPortalWebFactory portal) : IClassFixture<KestrelPortalWebFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/audiences")]
    [InlineData("/audiences/new")]
    [InlineData("/rules")]
    [InlineData("/rules/new")]
    [InlineData("/segments")]
    [InlineData("/connectors")]
    [InlineData("/lineage")]
    [InlineData("/uploads")]
    [InlineData("/jobs")]
    [InlineData("/admin")]
    public async Task Get_SignedInAsAdmin_RendersAndLogsNoError(string path)
    {
        var client = await portal.SignedInClientAsync(Roles.Admin);
        var before = portal.LoggedErrors();

        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("portal-main", html, StringComparison.Ordinal);
        // The page is disposed after its answer was sent; the server reads the next request on this connection only once
        // that request has ended, error logged or not.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(before, portal.LoggedErrors());
    }
}
