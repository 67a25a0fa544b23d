using System.Net;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Account;

public sealed class SignInLimitTests(SignInLimitWebFactory portal) : IClassFixture<SignInLimitWebFactory>
{
    [Fact]
    public async Task SignIn_PastTheLimitForOneAddress_Answers429WithRetryAfter()
    {
        var client = await portal.ReadyClientAsync();
        for (var i = 0; i < SignInLimitWebFactory.AttemptsPerWindow; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PortalWebFactory.SignInAsync(client, $"nobody{i}@tests.local", "Wrong-Pass-123!")).StatusCode);
        }

        // Past the limit even the right password waits: the limit is per address, whatever the account.
        var refused = await PortalWebFactory.SignInAsync(client, PortalWebFactory.AdminEmail, PortalWebFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter > TimeSpan.Zero, "Retry-After says how long to wait");
        Assert.Equal($"Too many sign-in attempts from your address. Try again in {retryAfter!.Value.TotalSeconds:0} seconds.", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/login")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }
}
