namespace Portal.Core.Adtech;

/// <summary>
/// Google Data Manager API settings (<c>Adtech:GoogleDataManager</c>). The connection's base URL is the API host
/// (<c>https://datamanager.googleapis.com/</c>); the version is the first segment of every path.
/// </summary>
public sealed class GoogleDataManagerOptions
{
    public const string Section = "Adtech:GoogleDataManager";

    /// <summary>The Data Manager API version (<c>v1</c>).</summary>
    public string ApiVersion { get; set; } = "v1";

    /// <summary>
    /// Requests a minute the portal sends, at most: Google's quota is 300 a minute per Cloud project for ingestion (and
    /// 300 for the user list service); a request beyond it is refused with 429 RESOURCE_EXHAUSTED.
    /// </summary>
    public int RequestsPerMinute { get; set; } = 300;
}
