using System.Security.Claims;

namespace Portal.Core.Accounts;

/// <summary>Server-side role checks used by every command service; they throw rather than trust the UI.</summary>
public static class RoleChecks
{
    /// <summary>Admin or Marketer; returns the actor's name for the audit log.</summary>
    public static string RequireOperator(this ClaimsPrincipal user, string what) => Require(user, what, Roles.Admin, Roles.Marketer);

    public static string RequireAdmin(this ClaimsPrincipal user, string what) => Require(user, what, Roles.Admin);

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Marketer);

    private static string Require(ClaimsPrincipal user, string what, params string[] roles)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new UnauthorizedAccessException($"Sign in to {what}.");
        }

        if (!roles.Any(user.IsInRole))
        {
            throw new UnauthorizedAccessException($"Your role may not {what}: it takes {string.Join(" or ", roles)}.");
        }

        return user.Identity.Name ?? "unknown";
    }
}

/// <summary>The identity that start-up work and schedules act as.</summary>
public static class SystemPrincipal
{
    public const string Name = "system";

    public static ClaimsPrincipal Instance { get; } = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, Name), new Claim(ClaimTypes.Role, Roles.Admin)], authenticationType: "System"));
}
