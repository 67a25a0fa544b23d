namespace Portal.Account;

/// <summary>
/// <c>Portal:SignIn</c>: how fast a change to an account reaches its open sessions, and how hard guessing passwords is.
/// </summary>
public sealed class SignInProtectionOptions
{
    public const string Section = "Portal:SignIn";

    /// <summary>
    /// How often a session's cookie (API calls, page loads) and an open tab are checked against the account: a role
    /// change, lock or deletion takes effect within this time.
    /// </summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sign-in attempts one client address may make per <see cref="AttemptWindow"/>; more answer 429.</summary>
    public int AttemptsPerWindow { get; set; } = 10;

    public TimeSpan AttemptWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Failed sign-ins of one account from one address are written to the audit log once per this window; the rest are counted.</summary>
    public TimeSpan FailureAuditWindow { get; set; } = TimeSpan.FromMinutes(15);
}
