using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Portal;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address, so the sign-in limit per client address would
/// throttle everyone at once. <c>ReverseProxy:KnownProxies</c> lists the proxies (IP addresses) whose
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed; with none listed the headers are ignored, so a
/// client cannot pick its own address by sending them.
/// </summary>
internal static class ReverseProxy
{
    public const string Section = "ReverseProxy:KnownProxies";

    public static IServiceCollection AddReverseProxy(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = KnownProxies(configuration);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = 1; // only the address the listed proxy saw; earlier entries are the client's to invent
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
            }
        });
        return services;
    }

    public static WebApplication UseReverseProxy(this WebApplication app)
    {
        if (KnownProxies(app.Configuration).Count > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    /// <summary>The listed proxies; a value that is not an IP address stops the start with the key and the value.</summary>
    private static List<IPAddress> KnownProxies(IConfiguration configuration)
    {
        var values = configuration.GetSection(Section).Get<string[]>() ?? [];
        var proxies = new List<IPAddress>();
        for (var i = 0; i < values.Length; i++)
        {
            if (!IPAddress.TryParse(values[i].Trim(), out var address))
            {
                throw new InvalidOperationException($"Configuration error: {Section}:{i} is '{values[i]}', which is not an IP address.");
            }

            proxies.Add(address);
        }

        return proxies;
    }
}
