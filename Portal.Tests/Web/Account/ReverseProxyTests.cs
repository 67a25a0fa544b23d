using System.Net;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Account;

/// <summary>The sign-in limit behind a reverse proxy: per client as the listed proxy reports it, and only then.</summary>
public sealed class ReverseProxyTests
{
    [Fact]
    public async Task SignIn_BehindAListedProxy_IsLimitedPerForwardedClient()
    {
        using var portal = new ReverseProxyWebFactory();
        var first = await ClientFromAsync(portal, "203.0.113.5");
        for (var i = 0; i < ReverseProxyWebFactory.AttemptsPerWindow; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PortalWebFactory.SignInAsync(first, "nobody@tests.local", "Wrong-Pass-123!")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await PortalWebFactory.SignInAsync(first, "nobody@tests.local", "Wrong-Pass-123!")).StatusCode);

        // Another client behind the same proxy is not held back by the first one's failures.
        var second = await ClientFromAsync(portal, "203.0.113.6");
        Assert.Equal(HttpStatusCode.Redirect, (await PortalWebFactory.SignInAsync(second, PortalWebFactory.AdminEmail, PortalWebFactory.AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task SignIn_ForwardedForWithoutAListedProxy_IsIgnored()
    {
        using var portal = new SignInLimitWebFactory();
        for (var i = 0; i < SignInLimitWebFactory.AttemptsPerWindow; i++)
        {
            var client = await ClientFromAsync(portal, $"203.0.113.{10 + i}");
            Assert.Equal(HttpStatusCode.OK, (await PortalWebFactory.SignInAsync(client, "nobody@tests.local", "Wrong-Pass-123!")).StatusCode);
        }

        // A client that claims yet another address is still the same client: the header is not believed.
        var claiming = await ClientFromAsync(portal, "198.51.100.1");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PortalWebFactory.SignInAsync(claiming, PortalWebFactory.AdminEmail, PortalWebFactory.AdminPassword)).StatusCode);
    }

    private static async Task<HttpClient> ClientFromAsync(PortalWebFactory portal, string address)
    {
        var client = await portal.ReadyClientAsync();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }
}
