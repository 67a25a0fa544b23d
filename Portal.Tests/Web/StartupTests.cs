using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web;

/// <summary>What the real app starts with.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Start_OnANewDatabase_ReadsTheKeyRingOnlyWhenNeeded()
    {
        await using var factory = new PortalWebFactory();

        // The framework's eager read of the key ring at start ran before the database's migration had made its table
        // and logged errors on every new installation; authentication and antiforgery register it again after the core's.
        var started = factory.Services.GetServices<IHostedService>().Select(s => s.GetType().FullName).ToList();
        Assert.DoesNotContain("Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService", started);
        Assert.Contains(started, s => s == typeof(Portal.Core.Data.PortalInitializer).FullName);
        using var client = await factory.ReadyClientAsync();
        Assert.True((await client.GetAsync("/account/login")).IsSuccessStatusCode);
    }
}
