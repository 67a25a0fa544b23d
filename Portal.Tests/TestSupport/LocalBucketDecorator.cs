using Portal.Core.Audiences;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A real local bucket that a test bucket derives from to act at one moment: every call goes to the
/// <see cref="LocalBucket"/> unless the derived bucket overrides it.
/// </summary>
public abstract class LocalBucketDecorator(string path) : IBucket
{
    protected LocalBucket Inner { get; } = new(path);

    public virtual IAsyncEnumerable<BucketItem> ListAsync(string prefix, CancellationToken cancellationToken = default) => Inner.ListAsync(prefix, cancellationToken);

    public virtual IAsyncEnumerable<BucketItem> ListAllAsync(string prefix, CancellationToken cancellationToken = default) => Inner.ListAllAsync(prefix, cancellationToken);

    public virtual Task<BucketText?> ReadTextAsync(string path, CancellationToken cancellationToken = default) => Inner.ReadTextAsync(path, cancellationToken);

    public virtual Task<BucketText?> ReadTextAsync(string path, long maxBytes, CancellationToken cancellationToken = default) =>
        Inner.ReadTextAsync(path, maxBytes, cancellationToken);

    public virtual Task<string> WriteTextAsync(string path, string text, string? expectedVersion, CancellationToken cancellationToken = default) =>
        Inner.WriteTextAsync(path, text, expectedVersion, cancellationToken);

    public virtual Task<string?> CreateTextAsync(string path, string text, CancellationToken cancellationToken = default) =>
        Inner.CreateTextAsync(path, text, cancellationToken);

    public virtual Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => Inner.ExistsAsync(path, cancellationToken);

    public virtual Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default) => Inner.OpenReadAsync(path, cancellationToken);

    public virtual Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default) =>
        Inner.WriteAsync(path, write, cancellationToken);

    public virtual Task DeleteAsync(string path, CancellationToken cancellationToken = default) => Inner.DeleteAsync(path, cancellationToken);
}
