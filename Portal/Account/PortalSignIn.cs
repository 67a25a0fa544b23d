using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audit;

namespace Portal.Account;

/// <summary>
/// Password sign-in that tells nobody which accounts exist: an unknown account, a wrong password and a locked account
/// get the same answer (<see cref="FailureMessage"/>) after about the same work (a password hash is checked in each case).
/// Failures go to the audit log through <see cref="FailedSignInAudit"/>.
/// </summary>
internal sealed class PortalSignIn(
    SignInManager<PortalUser> signIn,
    UserManager<PortalUser> users,
    AuditLog audit,
    FailedSignInAudit failures,
    TimeProvider clock,
    IOptions<IdentityOptions> identity)
{
    private static string? _standInHash;

    public string FailureMessage
    {
        get
        {
            var lockout = identity.Value.Lockout;
            return $"Wrong email or password, or the account is locked. After {lockout.MaxFailedAccessAttempts} failed attempts an account is locked "
                + $"for {lockout.DefaultLockoutTimeSpan.TotalMinutes:0} minutes; an administrator can unlock it sooner.";
        }
    }

    /// <summary>Signs in (sets the cookie) and returns true, or returns false for any failure.</summary>
    public async Task<bool> SignInAsync(string email, string password, bool remember, string? address)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            CheckStandIn(password);
            await failures.FailedAsync(email, address, "unknown account");
            return false;
        }

        var result = await signIn.PasswordSignInAsync(user, password, remember, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            user.LastSignInAt = clock.GetUtcNow().UtcDateTime;
            await users.UpdateAsync(user);
            await failures.SucceededAsync(email, address);
            await audit.WriteAsync(email, "user.signed-in", email, null);
            return true;
        }

        if (result.IsLockedOut || result.IsNotAllowed)
        {
            // Identity refuses a locked account before it checks the password: check one anyway, so the answer takes as long.
            CheckStandIn(password);
        }

        await failures.FailedAsync(email, address, result.IsLockedOut ? "account locked" : "wrong password");
        return false;
    }

    private void CheckStandIn(string password)
    {
        var hasher = users.PasswordHasher;
        var stand = new PortalUser();
        _standInHash ??= hasher.HashPassword(stand, Passwords.Generate());
        hasher.VerifyHashedPassword(stand, _standInHash, password);
    }
}
