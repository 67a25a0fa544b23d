using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;

namespace Portal.Core.Accounts;

/// <summary>Start-up cannot go on: a configuration error or a first admin that cannot be made. Shown, never retried.</summary>
public sealed class PortalSetupException(string message) : Exception(message);

/// <summary>Creates the roles, and the first admin when there is none.</summary>
public sealed class AccountsBootstrap(IServiceScopeFactory scopes, IOptions<AdminOptions> admin, AuditLog audit, TimeProvider clock)
{
    public string AdminEmail => string.IsNullOrWhiteSpace(admin.Value.Email) ? "admin@portal.local" : admin.Value.Email.Trim();

    /// <summary>Returns the generated password when one was made (for the caller to print once), else null.</summary>
    public async Task<string?> EnsureAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0)
        {
            return null;
        }

        var email = AdminEmail;
        var generated = string.IsNullOrEmpty(admin.Value.Password);
        var password = generated ? Passwords.Generate() : admin.Value.Password!;
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Administrator", CreatedAt = clock.GetUtcNow().UtcDateTime };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new PortalSetupException(
                    $"Configuration error: Portal:Admin:Password does not meet the password rules: {Describe(created)}");
            }
        }
        else
        {
            await users.RemovePasswordAsync(user);
            Check(await users.AddPasswordAsync(user, password), "set the first admin's password");
        }

        Check(await users.AddToRoleAsync(user, Roles.Admin), "make the first admin an Admin");
        await audit.WriteAsync(SystemPrincipal.Name, "user.first-admin", email, generated ? "generated password" : "password from configuration", cancellationToken);
        return generated ? password : null;
    }

    /// <summary>The portal's page where a signed-in person changes their own password.</summary>
    public const string ChangePasswordPath = "/account/change-password";

    /// <summary>What the console shows once after making the first admin with a generated password.</summary>
    public static string FirstStartNotice(string email, string password) => string.Join(Environment.NewLine,
        "",
        "==================================================================",
        " First start: created the administrator account",
        $"   email:    {email}",
        $"   password: {password}",
        $" Sign in and change it now: user menu > Change password ({ChangePasswordPath}),",
        " or set Portal__Admin__Password before the first start.",
        "==================================================================",
        "");

    internal static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new PortalSetupException($"Could not {what}: {Describe(result)}");
        }
    }
}
