using Microsoft.AspNetCore.Hosting;

namespace Portal.Tests.TestSupport;

/// <summary>The web app on real Kestrel with a small sign-in limit, believing 127.0.0.1 (the test's client) as its proxy.</summary>
public sealed class ReverseProxyWebFactory : KestrelPortalWebFactory
{
    public const int AttemptsPerWindow = 2;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Portal:SignIn:AttemptsPerWindow", AttemptsPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Portal:SignIn:AttemptWindow", "01:00:00");
        builder.UseSetting("ReverseProxy:KnownProxies:0", "127.0.0.1");
    }
}
