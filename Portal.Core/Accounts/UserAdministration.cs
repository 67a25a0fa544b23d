using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;

namespace Portal.Core.Accounts;

public sealed record PortalUserRow(string Id, string Email, string? DisplayName, string Role, bool Locked, DateTime CreatedAt, DateTime? LastSignInAt);

public sealed class UserAdministrationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The Admin page's user management. Every call checks that the caller is an Admin.</summary>
public sealed class UserAdministration(IServiceScopeFactory scopes, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<PortalUserRow>> ListAsync(ClaimsPrincipal caller, CancellationToken cancellationToken = default)
    {
        caller.RequireAdmin("list users");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var now = clock.GetUtcNow();
        var all = await users.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var rows = new List<PortalUserRow>(all.Count);
        foreach (var u in all)
        {
            var roles = await users.GetRolesAsync(u);
            rows.Add(new PortalUserRow(u.Id, u.Email ?? u.UserName ?? u.Id, u.DisplayName, roles.FirstOrDefault() ?? "(none)",
                u.LockoutEnd is { } end && end > now, u.CreatedAt, u.LastSignInAt));
        }

        return rows;
    }

    /// <summary>Creates a user in one role. Returns the password to hand over (generated when none is given).</summary>
    public async Task<string> CreateAsync(string email, string? displayName, string role, string? password, ClaimsPrincipal caller,
        CancellationToken cancellationToken = default)
    {
        var actor = caller.RequireAdmin("create users");
        email = email?.Trim() ?? "";
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            throw new UserAdministrationException("Email", $"'{email}' is not an email address.");
        }

        RequireRole(role);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        if (await users.FindByEmailAsync(email) is not null)
        {
            throw new UserAdministrationException("Email", $"A user with email {email} already exists.");
        }

        var secret = string.IsNullOrEmpty(password) ? Passwords.Generate() : password;
        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName?.Trim(), CreatedAt = clock.GetUtcNow().UtcDateTime };
        var created = await users.CreateAsync(user, secret);
        if (!created.Succeeded)
        {
            throw new UserAdministrationException("Password", AccountsBootstrap.Describe(created));
        }

        await users.AddToRoleAsync(user, role);
        await audit.WriteAsync(actor, "user.created", email, $"role {role}", cancellationToken);
        return secret;
    }

    public async Task SetRoleAsync(string userId, string role, ClaimsPrincipal caller, CancellationToken cancellationToken = default)
    {
        var actor = caller.RequireAdmin("change roles");
        RequireRole(role);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await FindAsync(users, userId);
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && role != Roles.Admin)
        {
            await RequireAnotherAdminAsync(users, user, "take the Admin role from");
        }

        await users.RemoveFromRolesAsync(user, current);
        await users.AddToRoleAsync(user, role);
        await users.UpdateSecurityStampAsync(user);
        await audit.WriteAsync(actor, "user.role-changed", user.Email, $"{string.Join(",", current)} -> {role}", cancellationToken);
    }

    public async Task SetLockedAsync(string userId, bool locked, ClaimsPrincipal caller, CancellationToken cancellationToken = default)
    {
        var actor = caller.RequireAdmin("lock users");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await FindAsync(users, userId);
        if (locked && string.Equals(user.Email, caller.Identity?.Name, StringComparison.OrdinalIgnoreCase))
        {
            throw new UserAdministrationException("User", "You cannot lock your own account.");
        }

        if (locked && await users.IsInRoleAsync(user, Roles.Admin))
        {
            await RequireAnotherAdminAsync(users, user, "lock");
        }

        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
        await users.UpdateSecurityStampAsync(user);
        await audit.WriteAsync(actor, locked ? "user.locked" : "user.unlocked", user.Email, null, cancellationToken);
    }

    /// <summary>Sets a new generated password and returns it.</summary>
    public async Task<string> ResetPasswordAsync(string userId, ClaimsPrincipal caller, CancellationToken cancellationToken = default)
    {
        var actor = caller.RequireAdmin("reset passwords");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await FindAsync(users, userId);
        var secret = Passwords.Generate();
        await users.RemovePasswordAsync(user);
        var result = await users.AddPasswordAsync(user, secret);
        if (!result.Succeeded)
        {
            throw new UserAdministrationException("Password", AccountsBootstrap.Describe(result));
        }

        await users.UpdateSecurityStampAsync(user);
        await audit.WriteAsync(actor, "user.password-reset", user.Email, null, cancellationToken);
        return secret;
    }

    public async Task DeleteAsync(string userId, ClaimsPrincipal caller, CancellationToken cancellationToken = default)
    {
        var actor = caller.RequireAdmin("delete users");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await FindAsync(users, userId);
        if (string.Equals(user.Email, caller.Identity?.Name, StringComparison.OrdinalIgnoreCase))
        {
            throw new UserAdministrationException("User", "You cannot delete your own account.");
        }

        if (await users.IsInRoleAsync(user, Roles.Admin))
        {
            await RequireAnotherAdminAsync(users, user, "delete");
        }

        await users.DeleteAsync(user);
        await audit.WriteAsync(actor, "user.deleted", user.Email, null, cancellationToken);
    }

    private static async Task<PortalUser> FindAsync(UserManager<PortalUser> users, string userId) =>
        await users.FindByIdAsync(userId) ?? throw new UserAdministrationException("User", $"No user with id {userId}.");

    private static async Task RequireAnotherAdminAsync(UserManager<PortalUser> users, PortalUser user, string what)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        if (admins.All(a => a.Id == user.Id))
        {
            throw new UserAdministrationException("Role", $"Cannot {what} the last Admin; make another user Admin first.");
        }
    }

    private static void RequireRole(string role)
    {
        if (!Roles.All.Contains(role))
        {
            throw new UserAdministrationException("Role", $"Unknown role '{role}'. Roles: {string.Join(", ", Roles.All)}.");
        }
    }
}
