using System.Net;
using Portal.Core.Adtech.Sandbox;

namespace Portal;

/// <summary>
/// The adtech and data-source sandbox inside the portal (<c>Sandbox:Enabled</c>, on by default in Development only):
/// mapped at <c>/sandbox</c>, answering loopback callers only, so demo exports work offline. When enabled, the data
/// source and the adtech connections default to it unless configured otherwise, and its host is added to
/// <c>Outbound:AllowedHosts</c> (loopback, over http) so the portal may call it. Its audiences outlive a restart
/// (<see cref="SandboxStateKeeper"/>).
/// </summary>
internal static class SandboxHosting
{
    public const string Prefix = "/sandbox";

    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue<bool?>("Sandbox:Enabled") ?? environment.IsDevelopment();

    /// <summary>Defaults that point the data source and every adtech at the portal's own sandbox (configuration still wins).</summary>
    public static void AddSandboxDefaults(WebApplicationBuilder builder)
    {
        if (!IsEnabled(builder.Configuration, builder.Environment))
        {
            return;
        }

        var own = (builder.Configuration["Urls"] ?? "http://127.0.0.1:5080").Split(';')[0].TrimEnd('/') + Prefix + "/";
        var defaults = new Dictionary<string, string?>
        {
            ["Outbound:AllowedHosts:sandbox"] = new Uri(own).Authority,
            ["DataSources:Http:BaseUrl"] = own + "data/",
            ["Adtech:Connections:adtechA:BaseUrl"] = own,
            ["Adtech:Connections:adtechA:AccountId"] = "sandbox-advertiser",
            ["Adtech:Connections:adtechA:AccessToken"] = "sandbox-token",
            ["Adtech:Connections:adtechB:BaseUrl"] = own,
            ["Adtech:Connections:adtechB:AccessToken"] = "sandbox-token",
            ["Adtech:Connections:meta:BaseUrl"] = own + "meta/",
            ["Adtech:Connections:meta:AccountId"] = "act_1000",
            ["Adtech:Connections:meta:AccessToken"] = "sandbox-token",
            // A Google connection uses the Data Manager API unless it chooses the Google Ads API (Api: googleAds, BaseUrl: own + "google-ads/").
            ["Adtech:Connections:googleAds:BaseUrl"] = own + "datamanager/",
            ["Adtech:Connections:googleAds:AccountId"] = "123-456-7890",
            ["Adtech:Connections:googleAds:AccessToken"] = "sandbox-token",
            ["Adtech:Connections:googleAds:DeveloperToken"] = "sandbox-developer-token",
            ["Adtech:GoogleAds:JobPollSeconds"] = "1", // the sandbox's jobs end on the second look
        };
        var sources = builder.Configuration.Sources;
        sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = defaults });
        builder.Services.AddSingleton(new SandboxState());
        builder.Services.AddSingleton<SandboxStateKeeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SandboxStateKeeper>());
    }

    public static void MapSandbox(WebApplication app)
    {
        if (!IsEnabled(app.Configuration, app.Environment))
        {
            return;
        }

        var keeper = app.Services.GetRequiredService<SandboxStateKeeper>();
        app.MapAdtechSandbox(Prefix, app.Services.GetRequiredService<SandboxState>())
            .AllowAnonymous()
            .DisableAntiforgery()
            .AddEndpointFilter(async (context, next) =>
            {
                if (context.HttpContext.Connection.RemoteIpAddress is not { } ip || !IPAddress.IsLoopback(ip))
                {
                    return Results.NotFound();
                }

                var answer = await next(context);
                if (!HttpMethods.IsGet(context.HttpContext.Request.Method))
                {
                    keeper.Changed();
                }

                return answer;
            });
    }
}
