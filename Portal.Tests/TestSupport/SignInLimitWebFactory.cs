using Microsoft.AspNetCore.Hosting;

namespace Portal.Tests.TestSupport;

/// <summary>The web app with a small sign-in limit per client address (every test client shares one address).</summary>
public sealed class SignInLimitWebFactory : PortalWebFactory
{
    public const int AttemptsPerWindow = 3;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Portal:SignIn:AttemptsPerWindow", AttemptsPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Portal:SignIn:AttemptWindow", "01:00:00");
    }
}
