namespace Portal.Core.Audiences;

/// <summary>
/// What a state file may ask of the YAML reader. State files are small and flat, so these caps leave every real file
/// alone while refusing the shapes that make a YAML reader run out of memory, time or stack: a huge file, deep nesting,
/// aliases that expand exponentially ("billion laughs"), and aliases or collections used as mapping keys (hashing such a
/// key walks the whole shared structure).
/// </summary>
public sealed record YamlLimits
{
    public const long DefaultMaxFileBytes = 1024 * 1024;

    public static readonly YamlLimits Default = new();

    /// <summary>The largest state file, in UTF-8 bytes (configured by <c>Bucket:MaxStateFileBytes</c>).</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    /// <summary>How deeply mappings and sequences may nest.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>How many aliases (<c>*name</c>) a file may use.</summary>
    public int MaxAliases { get; init; } = 100;

    /// <summary>How many nodes all aliases together may stand for, counting each alias as the nodes it repeats.</summary>
    public long MaxAliasedNodes { get; init; } = 10_000;

    public static YamlLimits For(BucketOptions options) => Default with { MaxFileBytes = options.MaxStateFileBytes };
}
