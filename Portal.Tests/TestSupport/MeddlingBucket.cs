using Portal.Core.Audiences;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A real local bucket that lets a test act at one moment of a run: <see cref="OnMemberRead"/> runs once, when an
/// audience's member data is first opened for reading (i.e. while an upload is under way), e.g. to save the state
/// file as someone else would.
/// </summary>
public sealed class MeddlingBucket(string path) : IBucket
{
    private readonly LocalBucket _inner = new(path);
    private Func<IBucket, Task>? _onMemberRead;

    public Func<IBucket, Task>? OnMemberRead
    {
        get => _onMemberRead;
        set => _onMemberRead = value;
    }

    public IAsyncEnumerable<BucketItem> ListAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListAsync(prefix, cancellationToken);

    public IAsyncEnumerable<BucketItem> ListAllAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListAllAsync(prefix, cancellationToken);

    public Task<BucketText?> ReadTextAsync(string path, CancellationToken cancellationToken = default) => _inner.ReadTextAsync(path, cancellationToken);

    public Task<string> WriteTextAsync(string path, string text, string? expectedVersion, CancellationToken cancellationToken = default) =>
        _inner.WriteTextAsync(path, text, expectedVersion, cancellationToken);

    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => _inner.ExistsAsync(path, cancellationToken);

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (path.StartsWith(AudienceCatalog.DataFolder + "/", StringComparison.Ordinal) && Interlocked.Exchange(ref _onMemberRead, null) is { } meddle)
        {
            await meddle(_inner);
        }

        return await _inner.OpenReadAsync(path, cancellationToken);
    }

    public Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(path, write, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => _inner.DeleteAsync(path, cancellationToken);
}
