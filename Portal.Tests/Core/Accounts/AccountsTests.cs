using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Accounts;

public sealed class AccountsTests : DatabaseTest
{
    [Fact]
    public async Task Bootstrap_ConfiguredAdmin_CanSignInWithThatPassword()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = await users.FindByEmailAsync("admin@tests.local");
        Assert.NotNull(admin);
        Assert.True(await users.CheckPasswordAsync(admin, "Tests-Admin-Pass-1!"));
        Assert.True(await users.IsInRoleAsync(admin, Roles.Admin));
    }

    [Fact]
    public async Task Bootstrap_NoPasswordConfigured_GeneratesOneThatWorks()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Portal:Admin:Password"] = null, ["Portal:Admin:Email"] = "first@tests.local" });
        // The start-up run already made the admin; a second run finds it and makes nothing.
        Assert.Null(await host.Get<AccountsBootstrap>().EnsureAsync());
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var admin = await users.FindByEmailAsync("first@tests.local");
        Assert.NotNull(admin);
        Assert.True(await users.HasPasswordAsync(admin));
    }

    [Fact]
    public void GeneratedPassword_MeetsIdentityRules()
    {
        for (var i = 0; i < 50; i++)
        {
            var password = Passwords.Generate();
            Assert.Equal(20, password.Length);
            Assert.Contains(password, char.IsUpper);
            Assert.Contains(password, char.IsLower);
            Assert.Contains(password, char.IsDigit);
            Assert.Contains(password, c => !char.IsLetterOrDigit(c));
        }
    }

    [Fact]
    public async Task UserAdministration_AsMarketer_IsRefused()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var admin = host.Get<UserAdministration>();
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => admin.ListAsync(CoreHost.Marketer));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => admin.CreateAsync("x@tests.local", null, Roles.Admin, null, CoreHost.Viewer));
    }

    [Fact]
    public async Task UserAdministration_CreateChangeRoleAndDelete_AreAudited()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var admin = host.Get<UserAdministration>();
        var password = await admin.CreateAsync("m@tests.local", "Mia", Roles.Marketer, null, CoreHost.Admin);
        Assert.Equal(20, password.Length);
        var row = (await admin.ListAsync(CoreHost.Admin)).Single(u => u.Email == "m@tests.local");
        Assert.Equal(Roles.Marketer, row.Role);

        await admin.SetRoleAsync(row.Id, Roles.Viewer, CoreHost.Admin);
        Assert.Equal(Roles.Viewer, (await admin.ListAsync(CoreHost.Admin)).Single(u => u.Email == "m@tests.local").Role);
        await admin.SetLockedAsync(row.Id, true, CoreHost.Admin);
        Assert.True((await admin.ListAsync(CoreHost.Admin)).Single(u => u.Email == "m@tests.local").Locked);
        await admin.DeleteAsync(row.Id, CoreHost.Admin);
        Assert.DoesNotContain(await admin.ListAsync(CoreHost.Admin), u => u.Email == "m@tests.local");

        var actions = (await host.Get<Portal.Core.Audit.AuditLog>().ListAsync("user.", 0, 50)).Items.Select(a => a.Action).ToList();
        Assert.Contains("user.created", actions);
        Assert.Contains("user.role-changed", actions);
        Assert.Contains("user.locked", actions);
        Assert.Contains("user.deleted", actions);
        Assert.DoesNotContain(await AllAuditTextAsync(host), password);
    }

    [Fact]
    public async Task UserAdministration_LastAdmin_CannotBeDemotedOrDeleted()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var admin = host.Get<UserAdministration>();
        var only = (await admin.ListAsync(CoreHost.Admin)).Single(u => u.Role == Roles.Admin);
        var demote = await Assert.ThrowsAsync<UserAdministrationException>(() => admin.SetRoleAsync(only.Id, Roles.Viewer, CoreHost.User("other@tests.local", Roles.Admin)));
        Assert.Contains("last Admin", demote.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UserAdministrationException>(() => admin.DeleteAsync(only.Id, CoreHost.User("other@tests.local", Roles.Admin)));
        Assert.Equal(Roles.Admin, (await admin.ListAsync(CoreHost.Admin)).Single(u => u.Id == only.Id).Role);
    }

    [Fact]
    public async Task UserAdministration_RoleChangeLockAndPasswordReset_EachChangeTheSecurityStamp()
    {
        // Open sessions are checked against the stamp: each of these must end them.
        await using var host = await CoreHost.StartAsync(Folder);
        var admin = host.Get<UserAdministration>();
        await admin.CreateAsync("stamp@tests.local", null, Roles.Marketer, null, CoreHost.Admin);
        var id = (await admin.ListAsync(CoreHost.Admin)).Single(u => u.Email == "stamp@tests.local").Id;
        async Task<string?> StampAsync()
        {
            await using var scope = host.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            return await users.GetSecurityStampAsync((await users.FindByIdAsync(id))!);
        }

        var stamps = new List<string?> { await StampAsync() };
        await admin.SetRoleAsync(id, Roles.Viewer, CoreHost.Admin);
        stamps.Add(await StampAsync());
        await admin.SetLockedAsync(id, true, CoreHost.Admin);
        stamps.Add(await StampAsync());
        await admin.ResetPasswordAsync(id, CoreHost.Admin);
        stamps.Add(await StampAsync());

        Assert.Equal(stamps.Count, stamps.Distinct().Count());
    }

    [Theory]
    [InlineData("not-an-email", "Viewer", "Email")]
    [InlineData("ok@tests.local", "Owner", "Role")]
    public async Task UserAdministration_BadInput_NamesTheField(string email, string role, string field)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var ex = await Assert.ThrowsAsync<UserAdministrationException>(() => host.Get<UserAdministration>().CreateAsync(email, null, role, null, CoreHost.Admin));
        Assert.Equal(field, ex.Field);
    }

    private static async Task<string> AllAuditTextAsync(CoreHost host)
    {
        var (items, _) = await host.Get<Portal.Core.Audit.AuditLog>().ListAsync(null, 0, 500);
        return string.Join("\n", items.Select(a => $"{a.Actor} {a.Action} {a.Target} {a.Details}"));
    }
}
