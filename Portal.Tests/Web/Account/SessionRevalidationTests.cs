using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Dashboard;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Account;

/// <summary>A change to an account reaches its API cookie within a minute (Identity's own default is 30).</summary>
public sealed class SessionRevalidationTests(ClockedWebFactory portal) : IClassFixture<ClockedWebFactory>
{
    private static readonly TimeSpan JustOverAMinute = TimeSpan.FromSeconds(61);

    private async Task<(HttpClient Client, string UserId)> MarketerAsync()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var email = (await client.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("name").GetString();
        var users = portal.Services.GetRequiredService<UserAdministration>();
        return (client, (await users.ListAsync(CoreHost.Admin)).Single(u => u.Email == email).Id);
    }

    [Theory]
    [InlineData("role")]
    [InlineData("lock")]
    [InlineData("delete")]
    public async Task ApiCookie_AccountChangedByAnAdmin_IsRefusedWithinAMinute(string change)
    {
        var (client, id) = await MarketerAsync();
        var users = portal.Services.GetRequiredService<UserAdministration>();

        await (change switch
        {
            "role" => users.SetRoleAsync(id, Roles.Viewer, CoreHost.Admin),
            "lock" => users.SetLockedAsync(id, true, CoreHost.Admin),
            _ => users.DeleteAsync(id, CoreHost.Admin),
        });
        portal.Clock.Now += JustOverAMinute;

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/jobs", new { kind = RecomputeDashboardTotalsJob.Kind })).StatusCode);
    }

    [Fact]
    public async Task ApiCookie_RolesChangedInTheStore_AreReadAgainWithinAMinute()
    {
        var (client, id) = await MarketerAsync();
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            // Straight in the store, without a new security stamp: the cookie stays valid, its roles must not.
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var user = await users.FindByIdAsync(id);
            await users.RemoveFromRoleAsync(user!, Roles.Marketer);
            await users.AddToRoleAsync(user!, Roles.Viewer);
        }

        portal.Clock.Now += JustOverAMinute;

        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal([Roles.Viewer], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/jobs", new { kind = RecomputeDashboardTotalsJob.Kind })).StatusCode);
    }
}
