namespace Portal.Core.Adtech;

/// <summary>
/// Meta's Graph API settings (<c>Adtech:Meta</c>). The connection's base URL is the Graph host
/// (<c>https://graph.facebook.com/</c>); the version is the first segment of every path.
/// </summary>
public sealed class MetaOptions
{
    public const string Section = "Adtech:Meta";

    /// <summary>The Graph API version, <c>vNN.0</c>: each stays available about two years after the next one comes out.</summary>
    public string ApiVersion { get; set; } = "v25.0";
}
