namespace Portal.Core.Audiences;

/// <summary>An object in the bucket: its path (e.g. <c>state/demo.yml</c>), size and content version.</summary>
public sealed record BucketItem(string Path, long Size, DateTime LastModified);

/// <summary>A text object and the version it was read at (for optimistic concurrency on write).</summary>
public sealed record BucketText(string Path, string Text, string Version);

/// <summary>A write that expected one version found another: someone else saved first.</summary>
public sealed class BucketConflictException(string path, string expected, string actual)
    : Exception($"{path} was changed by someone else since it was opened (expected version {Short(expected)}, found {Short(actual)}).")
{
    private static string Short(string version) => version.Length > 8 ? version[..8] : version;

    public string Path { get; } = path;
    public string ActualVersion { get; } = actual;
}

/// <summary>An object is larger than the reader allows; it was refused before being read.</summary>
public sealed class BucketObjectTooLargeException(string path, long size, long maxBytes)
    : Exception($"{path} is {size:N0} bytes, over the limit of {maxBytes:N0} bytes.")
{
    public string Path { get; } = path;
    public long Size { get; } = size;
    public long MaxBytes { get; } = maxBytes;
}

/// <summary>
/// Where audience state files (<c>state/&lt;name&gt;.yml</c>), member data (<c>data/&lt;name&gt;.parquet.gz</c>) and
/// uploaded datasets (<c>datasets/&lt;name&gt;/&lt;partition&gt;/</c>, the drop folder <c>incoming/</c>) live.
/// A seam: the embedded default is a local folder; S3 or Azure Blob can implement the same calls (a create-if-absent
/// there is a conditional put: If-None-Match: *). Every write is atomic and durable once it returns: a reader sees the
/// old object or the new one, never half of one, and a crash after the call does not lose it.
/// </summary>
public interface IBucket
{
    /// <summary>Objects under a folder prefix (e.g. <c>state/</c>), by path.</summary>
    IAsyncEnumerable<BucketItem> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Objects under a folder prefix and all its sub-folders (e.g. <c>incoming/</c>), by path.</summary>
    IAsyncEnumerable<BucketItem> ListAllAsync(string prefix, CancellationToken cancellationToken = default);

    Task<BucketText?> ReadTextAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads text as the overload without a limit does, but refuses an object over <paramref name="maxBytes"/> with
    /// <see cref="BucketObjectTooLargeException"/> before reading it into memory.
    /// </summary>
    Task<BucketText?> ReadTextAsync(string path, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes text atomically. With <paramref name="expectedVersion"/>, refuses (BucketConflictException) when the
    /// stored object is no longer that version; null writes unconditionally. Returns the new version.
    /// </summary>
    Task<string> WriteTextAsync(string path, string text, string? expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a text object only if none exists at <paramref name="path"/>, atomically: of two creates at the same
    /// time one wins and the other changes nothing. Returns the new version, or null when the object existed.
    /// </summary>
    Task<string?> CreateTextAsync(string path, string text, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>One object's size and time as a listing gives them; null when there is none. Buckets with a cheaper call override this listing of its folder.</summary>
    async Task<BucketItem?> InfoAsync(string path, CancellationToken cancellationToken = default)
    {
        var slash = path.LastIndexOf('/');
        await foreach (var item in ListAsync(slash < 0 ? "" : path[..slash], cancellationToken))
        {
            if (string.Equals(item.Path, path, StringComparison.Ordinal))
            {
                return item;
            }
        }

        return null;
    }

    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Writes a binary object atomically from what <paramref name="write"/> puts in the stream it is given.</summary>
    Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default);

    Task DeleteAsync(string path, CancellationToken cancellationToken = default);
}
