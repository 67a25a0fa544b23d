using Portal.Core.Adtech.Sandbox;

namespace Portal.Tests.TestSupport;

/// <summary>The sandbox on a real loopback HTTP server, and the settings that point a core host at it.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly LoopbackSandbox _sandbox;

    private SandboxServer(LoopbackSandbox sandbox) => _sandbox = sandbox;

    public SandboxState State => _sandbox.State;

    /// <summary>Ends with '/'.</summary>
    public string BaseUrl => _sandbox.BaseUrl;

    /// <summary>Meta's base URL in the sandbox: the connectors add the Graph API's real paths (<c>v25.0/act_…</c>) to it.</summary>
    public string MetaBaseUrl => BaseUrl + "meta/";

    /// <summary>Google Ads' base URL in the sandbox: the connectors add the API's real paths (<c>v24/customers/…</c>) to it.</summary>
    public string GoogleAdsBaseUrl => BaseUrl + "google-ads/";

    /// <summary>Google's Data Manager API base URL in the sandbox: the connector adds the API's real paths (<c>v1/audienceMembers:ingest</c>, …) to it.</summary>
    public string DataManagerBaseUrl => BaseUrl + "datamanager/";

    /// <summary>
    /// Points the Google connection of <paramref name="settings"/> (made by <see cref="Settings"/>) at the sandbox's Data
    /// Manager API, the default API of a Google connection.
    /// </summary>
    public static void UseDataManager(Dictionary<string, string?> settings)
    {
        settings["Adtech:Connections:googleAds:BaseUrl"] = settings["Adtech:Connections:googleAds:BaseUrl"]!.Replace("google-ads/", "datamanager/", StringComparison.Ordinal);
        settings.Remove("Adtech:Connections:googleAds:Api");
    }

    public static async Task<SandboxServer> StartAsync() => new(await LoopbackSandbox.StartAsync());

    /// <summary>The sandbox's host and port, as <c>Outbound:AllowedHosts</c> takes it.</summary>
    public string Authority => new Uri(BaseUrl).Authority;

    /// <summary>
    /// Settings pointing a core host's data source and the adtech connections at this sandbox, and allowing the portal
    /// to call it (it is on loopback, over http).
    /// </summary>
    public Dictionary<string, string?> Settings(string bucketPath) => new()
    {
        ["Bucket:Path"] = bucketPath,
        ["Audiences:DefaultCountry"] = "IN", // as the portal's appsettings.json: the sandbox's data source serves Indian members
        ["Outbound:AllowedHosts:sandbox"] = Authority,
        ["DataSources:Http:BaseUrl"] = BaseUrl + "data/",
        ["Adtech:Connections:adtechA:BaseUrl"] = BaseUrl,
        ["Adtech:Connections:adtechA:AccountId"] = "42",
        ["Adtech:Connections:adtechA:AccessToken"] = State.AccessToken,
        ["Adtech:Connections:adtechB:BaseUrl"] = BaseUrl,
        ["Adtech:Connections:adtechB:AccessToken"] = State.AccessToken,
        ["Adtech:Connections:meta:BaseUrl"] = MetaBaseUrl,
        ["Adtech:Connections:meta:AccountId"] = "act_77",
        ["Adtech:Connections:meta:AccessToken"] = State.AccessToken,
        ["Adtech:Connections:googleAds:BaseUrl"] = GoogleAdsBaseUrl,
        ["Adtech:Connections:googleAds:AccountId"] = "123-456-7890",
        ["Adtech:Connections:googleAds:AccessToken"] = State.AccessToken,
        ["Adtech:Connections:googleAds:DeveloperToken"] = State.DeveloperToken,
        // The Google Ads API (for allowlisted accounts); UseDataManager switches to the default, the Data Manager API.
        ["Adtech:Connections:googleAds:Api"] = "googleAds",
        ["Adtech:GoogleAds:JobPollSeconds"] = "0.05",
        ["Adtech:Retry:BaseDelaySeconds"] = "0.05",
        // Long enough that a loaded build machine never times out a request the sandbox answers at once (a retried add is
        // applied twice, as at a real adtech); tests of lost answers delay theirs well past it.
        ["Adtech:Retry:TimeoutSeconds"] = "3",
    };

    public ValueTask DisposeAsync() => _sandbox.DisposeAsync();
}
