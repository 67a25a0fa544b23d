namespace Portal.Core.Audiences;

/// <summary>
/// A state file's <c>source.endpoint</c>: a path relative to the configured data source (<c>DataSources:Http:BaseUrl</c>),
/// never a way to reach another host or to climb out of the data source's path. Percent-encoding is undone before the
/// checks (repeatedly, so double encoding hides nothing).
/// </summary>
public static class SourceEndpoint
{
    public const int MaxLength = 1000;

    /// <summary>Why <paramref name="endpoint"/> is not a relative path under the data source, or null when it is one.</summary>
    public static string? Problem(string endpoint)
    {
        if (endpoint.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        if (endpoint.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return "it contains spaces or control characters";
        }

        if (endpoint.Contains('?', StringComparison.Ordinal) || endpoint.Contains('#', StringComparison.Ordinal))
        {
            return "it has a query or fragment; put query values in 'params'";
        }

        var decoded = Decode(endpoint);
        if (decoded is null)
        {
            return "it is percent-encoded more than three times over";
        }

        if (decoded.Contains('\\', StringComparison.Ordinal))
        {
            return "it contains a backslash";
        }

        if (decoded.StartsWith("//", StringComparison.Ordinal))
        {
            return "it names a host ('//'); give a path relative to the data source";
        }

        if (decoded.StartsWith('/'))
        {
            return "it starts with '/'; give a path relative to the data source, without the leading '/'";
        }

        var segments = decoded.Split('/');
        if (segments[0].Contains(':', StringComparison.Ordinal) || decoded.Contains("://", StringComparison.Ordinal))
        {
            return "it is an absolute URL (it has a scheme); give a path relative to the data source";
        }

        if (segments.Any(s => s is "." or ".."))
        {
            return "it has a '.' or '..' segment";
        }

        return null;
    }

    /// <summary>The text with percent-encoding undone until nothing changes, or null if it still changes after three rounds.</summary>
    private static string? Decode(string text)
    {
        for (var round = 0; round < 4; round++)
        {
            var next = Uri.UnescapeDataString(text);
            if (next == text)
            {
                return text;
            }

            text = next;
        }

        return null;
    }
}
