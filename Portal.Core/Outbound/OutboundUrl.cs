namespace Portal.Core.Outbound;

/// <summary>URLs built from a configured base URL and a relative path, which must stay under that base.</summary>
public static class OutboundUrl
{
    /// <summary>
    /// <paramref name="relative"/> resolved against <paramref name="baseUrl"/>; refused unless the result is on the same
    /// scheme, host and port, and under the base's path.
    /// </summary>
    public static Uri Under(Uri baseUrl, string relative)
    {
        var url = new Uri(baseUrl, relative);
        var basePath = baseUrl.AbsolutePath.EndsWith('/') ? baseUrl.AbsolutePath : baseUrl.AbsolutePath[..(baseUrl.AbsolutePath.LastIndexOf('/') + 1)];
        if (url.Scheme != baseUrl.Scheme || !string.Equals(url.Authority, baseUrl.Authority, StringComparison.OrdinalIgnoreCase)
            || !url.AbsolutePath.StartsWith(basePath, StringComparison.Ordinal))
        {
            throw new OutboundRefusedException($"'{relative}' leads outside {baseUrl}; only paths under it are requested.");
        }

        return url;
    }
}
