using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Outbound;

/// <summary>Registration of the outbound policy, and of HTTP clients that go through it.</summary>
public static class OutboundHttpExtensions
{
    public static IServiceCollection AddOutboundPolicy(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(_ => new OutboundPolicy(OutboundOptions.From(configuration)));

    /// <summary>
    /// Every HTTP client the portal uses for outbound calls: connections made only to addresses the policy allows
    /// (checked after DNS resolution), no redirects followed, no proxy (a proxy would resolve the names itself, out of
    /// the policy's sight), and with <paramref name="requireHttps"/> http only to allowed hosts.
    /// </summary>
    public static IHttpClientBuilder UseOutboundPolicy(this IHttpClientBuilder builder, bool requireHttps = false) =>
        builder
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var policy = sp.GetRequiredService<OutboundPolicy>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    ConnectCallback = (context, cancellationToken) => policy.ConnectAsync(context.DnsEndPoint, cancellationToken),
                };
            })
            .AddHttpMessageHandler(sp => new OutboundGuard(sp.GetRequiredService<OutboundPolicy>(), requireHttps));
}
