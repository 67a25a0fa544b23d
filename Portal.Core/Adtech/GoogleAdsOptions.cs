namespace Portal.Core.Adtech;

/// <summary>
/// Google Ads API settings (<c>Adtech:GoogleAds</c>). The connection's base URL is the API host
/// (<c>https://googleads.googleapis.com/</c>); the version is the first segment of every path.
/// </summary>
public sealed class GoogleAdsOptions
{
    public const string Section = "Adtech:GoogleAds";

    /// <summary>The Google Ads API version, <c>vNN</c>: each is sunset about a year after its release.</summary>
    public string ApiVersion { get; set; } = "v24";
}
