namespace Portal.Core.Audiences;

/// <summary>The <c>Bucket</c> configuration section.</summary>
public sealed class BucketOptions
{
    public const string Section = "Bucket";

    /// <summary>The embedded bucket's folder; relative paths are under the content root.</summary>
    public string Path { get; set; } = "data/bucket";

    /// <summary>The largest state file the portal reads (checked before reading it): a bigger one is reported, never loaded.</summary>
    public long MaxStateFileBytes { get; set; } = YamlLimits.DefaultMaxFileBytes;
}
