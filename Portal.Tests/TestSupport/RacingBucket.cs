using System.Runtime.CompilerServices;
using Portal.Core.Audiences;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A real local bucket that lines callers up: the first look at the state folder (a listing of it, or a read of a
/// state file) of each of <c>racers</c> callers waits until all of them have looked, so that none writes before
/// every one of them has checked. Later looks pass at once.
/// </summary>
public sealed class RacingBucket(string path, int racers) : LocalBucketDecorator(path)
{
    private readonly TaskCompletionSource _allLooked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _looked;

    public override async IAsyncEnumerable<BucketItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (prefix.TrimEnd('/') == AudienceCatalog.StateFolder)
        {
            await LineUpAsync();
        }

        await foreach (var item in Inner.ListAsync(prefix, cancellationToken))
        {
            yield return item;
        }
    }

    public override async Task<BucketText?> ReadTextAsync(string path, CancellationToken cancellationToken = default)
    {
        if (path.StartsWith(AudienceCatalog.StateFolder + "/", StringComparison.Ordinal))
        {
            await LineUpAsync();
        }

        return await Inner.ReadTextAsync(path, cancellationToken);
    }

    private Task LineUpAsync()
    {
        if (Interlocked.Increment(ref _looked) >= racers)
        {
            _allLooked.TrySetResult();
        }

        return _allLooked.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
