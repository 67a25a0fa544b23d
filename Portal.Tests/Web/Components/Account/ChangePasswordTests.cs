using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Account;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Account;

public sealed class ChangePasswordTests(PortalWebFactory portal) : IClassFixture<PortalWebFactory>
{
    private const string Old = "Old-Pass-1234!";
    private const string New = "New-Pass-5678?";

    private async Task<(HttpClient Client, string Email)> SignedInAsync()
    {
        var client = await portal.ReadyClientAsync();
        var email = $"pw-{Guid.NewGuid():N}"[..12] + "@tests.local";
        await portal.Services.GetRequiredService<UserAdministration>().CreateAsync(email, null, Roles.Viewer, Old, CoreHost.Admin);
        Assert.Equal(HttpStatusCode.Redirect, (await PortalWebFactory.SignInAsync(client, email, Old)).StatusCode);
        return (client, email);
    }

    private static async Task<string> ChangeAsync(HttpClient client, string current, string next, string confirm)
    {
        var response = await PortalWebFactory.PostFormAsync(client, AccountsBootstrap.ChangePasswordPath, "change-password", new Dictionary<string, string>
        {
            ["Input.Current"] = current,
            ["Input.New"] = next,
            ["Input.Confirm"] = confirm,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ChangePassword_WithTheCurrentOne_SignsInWithTheNewOneAndIsAudited()
    {
        var (client, email) = await SignedInAsync();

        var page = await ChangeAsync(client, Old, New, New);

        Assert.Contains("Your password was changed.", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode); // this session goes on
        var fresh = await portal.ReadyClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await PortalWebFactory.SignInAsync(fresh, email, Old)).StatusCode); // the old one is refused
        Assert.Equal(HttpStatusCode.Redirect, (await PortalWebFactory.SignInAsync(fresh, email, New)).StatusCode);
        var audit = (await portal.Services.GetRequiredService<AuditLog>().ListAsync(email, 0, 50)).Items;
        Assert.Contains(audit, a => a.Action == "user.password-changed");
        Assert.DoesNotContain(audit, a => a.Details?.Contains("Pass", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData("Wrong-Pass-1234!", New, New, "The current password is not right.")]
    [InlineData(Old, "short1!A", "short1!A", "Passwords must be at least 10 characters.")]
    [InlineData(Old, "nodigits-at-all!A", "nodigits-at-all!A", "Passwords must have at least one digit ('0'-'9').")]
    [InlineData(Old, New, "Other-Pass-5678?", "The two new passwords are not the same.")]
    public async Task ChangePassword_Refused_SaysWhyAndKeepsTheOldOne(string current, string next, string confirm, string message)
    {
        var (client, email) = await SignedInAsync();

        var page = await ChangeAsync(client, current, next, confirm);

        Assert.Contains(message, page, StringComparison.Ordinal);
        Assert.DoesNotContain("Your password was changed.", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await PortalWebFactory.SignInAsync(await portal.ReadyClientAsync(), email, Old)).StatusCode);
    }

    [Fact]
    public async Task ChangePassword_SignedOut_RedirectsToSignIn()
    {
        var response = await (await portal.ReadyClientAsync()).GetAsync(AccountsBootstrap.ChangePasswordPath);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstStartNotice_GeneratedPassword_PointsToTheChangePasswordPage()
    {
        var route = Assert.Single(typeof(ChangePassword).GetCustomAttributes<RouteAttribute>()).Template;

        var notice = AccountsBootstrap.FirstStartNotice("first@tests.local", "Generated-1!");

        Assert.Equal(AccountsBootstrap.ChangePasswordPath, route);
        Assert.Contains($"change it now: user menu > Change password ({route})", notice, StringComparison.Ordinal);
    }
}
