namespace Portal.Core.Adtech;

/// <summary>
/// A sliding window of at most <c>limit</c> requests per <c>window</c>, shared by every request to one API from this
/// process (Google's Data Manager API: 300 a minute per Cloud project). <see cref="WaitAsync"/> returns when one more
/// request may go, in the order the callers asked.
/// </summary>
public sealed class RequestQuota
{
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly TimeProvider _clock;
    private readonly Queue<DateTimeOffset> _sent = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public RequestQuota(int limit, TimeSpan window, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _limit = limit;
        _window = window;
        _clock = clock;
    }

    /// <summary>A quota of <see cref="GoogleDataManagerOptions.RequestsPerMinute"/> a minute.</summary>
    public static RequestQuota PerMinute(int limit, TimeProvider clock) => new(limit, TimeSpan.FromMinutes(1), clock);

    /// <summary>Waits until fewer than the limit were sent within the last window, and counts one more sent now.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = _clock.GetUtcNow();
            while (true)
            {
                while (_sent.Count > 0 && _sent.Peek() + _window <= now)
                {
                    _sent.Dequeue();
                }

                if (_sent.Count < _limit)
                {
                    break;
                }

                await Task.Delay(_sent.Peek() + _window - now, _clock, cancellationToken);
                now = _clock.GetUtcNow();
            }

            _sent.Enqueue(now);
        }
        finally
        {
            _gate.Release();
        }
    }
}
