using Portal.Core.Audiences;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A real local bucket that lets a test act at one moment of a run: <see cref="OnMemberRead"/> runs once, when an
/// audience's member data is first opened for reading (i.e. while an upload is under way), e.g. to save the state
/// file as someone else would.
/// </summary>
public sealed class MeddlingBucket(string path) : LocalBucketDecorator(path)
{
    private Func<IBucket, Task>? _onMemberRead;

    public Func<IBucket, Task>? OnMemberRead
    {
        get => _onMemberRead;
        set => _onMemberRead = value;
    }

    public override async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (path.StartsWith(AudienceCatalog.DataFolder + "/", StringComparison.Ordinal) && Interlocked.Exchange(ref _onMemberRead, null) is { } meddle)
        {
            await meddle(Inner);
        }

        return await Inner.OpenReadAsync(path, cancellationToken);
    }
}
