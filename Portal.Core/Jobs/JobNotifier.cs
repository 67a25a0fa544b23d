namespace Portal.Core.Jobs;

public sealed record JobChange(long JobId, JobStatus Status);

/// <summary>
/// In-process fan-out of job changes to whoever shows them (the status bar, the Jobs page). Subscribers get called on
/// the publishing thread and must marshal to their own context; a failing subscriber does not stop the others.
/// </summary>
public sealed class JobNotifier
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = ImmutableSubscribers.Empty;

    public IDisposable Subscribe(Action<JobChange> onChange)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Add(onChange);
        }

        return new Subscription(this, onChange);
    }

    public void Publish(JobChange change)
    {
        foreach (var subscriber in _subscribers.Items)
        {
            try
            {
                subscriber(change);
            }
#pragma warning disable CA1031 // one broken subscriber must not stop the job that published
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    public int SubscriberCount => _subscribers.Items.Length;

    private void Unsubscribe(Action<JobChange> onChange)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Remove(onChange);
        }
    }

    private sealed class Subscription(JobNotifier owner, Action<JobChange> onChange) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(onChange);
            }
        }
    }

    private sealed record ImmutableSubscribers(Action<JobChange>[] Items)
    {
        public static readonly ImmutableSubscribers Empty = new([]);
        public ImmutableSubscribers Add(Action<JobChange> a) => new([.. Items, a]);
        public ImmutableSubscribers Remove(Action<JobChange> a)
        {
            var i = Array.IndexOf(Items, a);
            return i < 0 ? this : new([.. Items[..i], .. Items[(i + 1)..]]);
        }
    }
}
