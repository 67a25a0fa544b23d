namespace Portal.Core.Instances;

/// <summary>A held <see cref="SharedLocks"/> lock: renewed in the background until disposed, then released.</summary>
internal sealed class SharedLockHandle : IAsyncDisposable
{
    private readonly SharedLocks _locks;
    private readonly string _name;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    public SharedLockHandle(SharedLocks locks, string name, TimeProvider clock)
    {
        _locks = locks;
        _name = name;
        _renewing = RenewAsync(clock, _stop.Token);
    }

    private async Task RenewAsync(TimeProvider clock, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(SharedLocks.Hold / 3, clock, stop);
                await _locks.TryAcquireAsync(_name, SharedLocks.Hold, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // released
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        _stop.Dispose();
        await _locks.ReleaseAsync(_name);
    }
}
