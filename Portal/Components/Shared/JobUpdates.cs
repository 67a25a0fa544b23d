using Portal.Core.Jobs;

namespace Portal.Components.Shared;

/// <summary>
/// Calls a component's refresh when jobs change, at most once per <c>debounce</c>, on the component's own
/// dispatcher, with every change seen in that window. Dispose it with the component.
/// </summary>
public sealed class JobUpdates : IDisposable
{
    private readonly IDisposable _subscription;
    private readonly Func<Func<Task>, Task> _invokeAsync;
    private readonly Func<IReadOnlyList<JobChange>, Task> _refresh;
    private readonly System.Collections.Concurrent.ConcurrentQueue<JobChange> _changes = new();
    private readonly TimeSpan _debounce;
    private int _pending;
    private volatile bool _disposed;

    public JobUpdates(JobNotifier notifier, Func<Func<Task>, Task> invokeAsync, Func<IReadOnlyList<JobChange>, Task> refresh, TimeSpan? debounce = null)
    {
        _invokeAsync = invokeAsync;
        _refresh = refresh;
        _debounce = debounce ?? TimeSpan.FromMilliseconds(250);
        _subscription = notifier.Subscribe(OnChange);
    }

    private void OnChange(JobChange change)
    {
        if (_disposed)
        {
            return;
        }

        _changes.Enqueue(change);
        if (Interlocked.Exchange(ref _pending, 1) == 1)
        {
            return;
        }

        _ = RefreshLaterAsync();
    }

    private async Task RefreshLaterAsync()
    {
        try
        {
            await Task.Delay(_debounce);
            Volatile.Write(ref _pending, 0);
            var changes = new List<JobChange>();
            while (_changes.TryDequeue(out var change))
            {
                changes.Add(change);
            }

            if (!_disposed && changes.Count > 0)
            {
                await _invokeAsync(() => _refresh(changes));
            }
        }
#pragma warning disable CA1031 // the circuit may be gone; a missed refresh is harmless
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _subscription.Dispose();
    }
}
