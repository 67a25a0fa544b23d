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

    /// <summary>Seconds between two looks at a job that runs (Google's jobs take minutes to hours).</summary>
    public double JobPollSeconds { get; set; } = 30;

    /// <summary>How many looks at a running job before the upload gives up waiting (by default 12 hours' worth).</summary>
    public int JobPollLimit { get; set; } = 1_440;
}
