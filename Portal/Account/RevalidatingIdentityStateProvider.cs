using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;

namespace Portal.Account;

/// <summary>
/// Re-checks a connected circuit's user every <see cref="SignInProtectionOptions.RevalidationInterval"/> and on each
/// navigation (<see cref="RevalidateNowAsync"/>): a user who was locked, deleted or given another role (which changes the
/// security stamp) loses the circuit's sign-in, and every page, which requires sign-in, sends them to the sign-in page.
/// </summary>
internal sealed class RevalidatingIdentityStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityOptions> options,
    IOptions<SignInProtectionOptions> protection) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => protection.Value.RevalidationInterval;

    /// <summary>Checks the signed-in user now; when the account no longer allows the session, signs the circuit out and returns false.</summary>
    public async Task<bool> RevalidateNowAsync(CancellationToken cancellationToken = default)
    {
        var state = await GetAuthenticationStateAsync();
        if (state.User.Identity?.IsAuthenticated != true || await ValidateAuthenticationStateAsync(state, cancellationToken))
        {
            return true;
        }

        SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
        return false;
    }

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.GetUserAsync(authenticationState.User);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return false;
        }

        var principalStamp = authenticationState.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return principalStamp == await users.GetSecurityStampAsync(user);
    }
}
