using Microsoft.AspNetCore.Hosting;

namespace Portal.Tests.TestSupport;

/// <summary>
/// The whole web app on real Kestrel (a free port on 127.0.0.1), for what the in-memory test server does not do: it
/// enforces no request body limit. Uploads are capped at <see cref="MaxUploadBytes"/> so a test can go past the cap.
/// </summary>
public class KestrelPortalWebFactory : PortalWebFactory
{
    public const long MaxUploadBytes = 10_000;

    public KestrelPortalWebFactory() => UseKestrel(0); // a free port, chosen when the server starts

    /// <summary>What the server logged, so a test that got a 500 can say which exception the server met.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The errors the server logged so far, one per line, for a failing assertion's message.</summary>
    public string LoggedErrors() =>
        string.Join("\n", Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Select(e => e.Text));

    /// <summary>A real HTTP client to the server's address (the factory's own follows redirects on Kestrel).</summary>
    protected override HttpClient CreatePortalClient()
    {
        StartServer();
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new System.Net.CookieContainer() })
        {
            BaseAddress = ClientOptions.BaseAddress,
        };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Uploads:MaxUploadBytes", MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureServices(Logs.AddTo);
    }
}
