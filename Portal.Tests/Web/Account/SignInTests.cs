using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Account;

public sealed partial class SignInTests(ClockedWebFactory portal) : IClassFixture<ClockedWebFactory>
{
    private const string Password = "Sign-In-Pass-123!";

    private static string NewEmail(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)] + "@tests.local";

    private async Task<(HttpStatusCode Status, string? Message)> FailAsync(string email, string password)
    {
        var client = await portal.ReadyClientAsync();
        var response = await PortalWebFactory.SignInAsync(client, email, password);
        var match = AlertPattern().Match(await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("portal.auth=", StringComparison.Ordinal)),
            "no sign-in cookie");
        return (response.StatusCode, match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null);
    }

    [Fact]
    public async Task SignIn_UnknownWrongPasswordOrLocked_AnswersTheSame()
    {
        var users = portal.Services.GetRequiredService<UserAdministration>();
        var known = NewEmail("known");
        var locked = NewEmail("locked");
        await users.CreateAsync(known, null, Roles.Viewer, Password, CoreHost.Admin);
        await users.CreateAsync(locked, null, Roles.Viewer, Password, CoreHost.Admin);
        await users.SetLockedAsync((await users.ListAsync(CoreHost.Admin)).Single(u => u.Email == locked).Id, true, CoreHost.Admin);

        var unknown = await FailAsync(NewEmail("nobody"), Password);
        var wrong = await FailAsync(known, "Not-The-Pass-123!");
        var lockedOut = await FailAsync(locked, Password);

        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.StartsWith("Wrong email or password", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(unknown, wrong);
        Assert.Equal(unknown, lockedOut);
    }

    [Fact]
    public async Task SignIn_RepeatedFailures_WriteOneAuditRowPerWindowAndCountTheRest()
    {
        var email = NewEmail("guess");
        for (var i = 0; i < 4; i++)
        {
            await FailAsync(email, $"Guess-{i}-Pass-123!");
        }

        var audit = portal.Services.GetRequiredService<AuditLog>();
        var first = (await audit.ListAsync(email, 0, 50)).Items;
        portal.Clock.Now += TimeSpan.FromMinutes(16);
        await FailAsync(email, "Guess-Late-Pass-123!");
        var later = (await audit.ListAsync(email, 0, 50)).Items;

        var row = Assert.Single(first);
        Assert.Equal(("user.sign-in-failed", "unknown account"), (row.Action, row.Details));
        Assert.Equal(3, later.Count);
        Assert.Single(later, r => r.Details?.StartsWith("3 more failed attempt(s) from the same address", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(later, r => r.Details?.Contains("Guess", StringComparison.Ordinal) == true);
    }

    [GeneratedRegex("role=\"alert\" id=\"login-error\">([^<]*)<")]
    private static partial Regex AlertPattern();
}
