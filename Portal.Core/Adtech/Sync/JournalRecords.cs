namespace Portal.Core.Adtech.Sync;

/// <summary>
/// A journal's objects merged into one sorted source, each key once: when several objects hold a key (a member added by
/// one sync and removed by a later one), the object of the highest sequence decides, and <see cref="IsRemove"/> says
/// whether that last word was a remove. The journal may span several syncs, whose objects' keys interleave.
/// </summary>
internal sealed class JournalRecords : RecordSource
{
    private readonly Entry[] _entries;
    private readonly PriorityQueue<Entry, Entry> _queue;
    private Entry? _head;
    private bool _started;

    /// <param name="entries">The journal's objects in sequence order, each with whether it is a remove.</param>
    public JournalRecords(IReadOnlyList<(RecordSource Records, bool IsRemove)> entries)
    {
        _entries = [.. entries.Select((e, i) => new Entry(e.Records, e.IsRemove, i))];
        _queue = new PriorityQueue<Entry, Entry>(_entries.Length, Comparer<Entry>.Create(Compare));
    }

    public override ReadOnlySpan<byte> Current => _head!.Records.Current;

    /// <summary>True when the current key's last journaled change is a remove.</summary>
    public bool IsRemove => _head!.IsRemove;

    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = true;
            foreach (var entry in _entries)
            {
                await EnqueueNextAsync(entry, cancellationToken);
            }
        }
        else if (_head is { } head)
        {
            _head = null;
            await EnqueueNextAsync(head, cancellationToken);
        }

        if (!_queue.TryDequeue(out var next, out _))
        {
            return false;
        }

        // Older objects holding the same key lose to this one (the highest sequence comes out first).
        while (_queue.TryPeek(out var older, out _) && MirrorRecord.Compare(older.Records.Current, next.Records.Current) == 0)
        {
            _queue.Dequeue();
            await EnqueueNextAsync(older, cancellationToken);
        }

        _head = next;
        return true;
    }

    private async ValueTask EnqueueNextAsync(Entry entry, CancellationToken cancellationToken)
    {
        if (await entry.Records.MoveNextAsync(cancellationToken))
        {
            _queue.Enqueue(entry, entry);
        }
    }

    /// <summary>By key, and for one key the latest object first.</summary>
    private static int Compare(Entry a, Entry b)
    {
        var order = MirrorRecord.Compare(a.Records.Current, b.Records.Current);
        return order != 0 ? order : b.Order.CompareTo(a.Order);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var entry in _entries)
        {
            await entry.Records.DisposeAsync();
        }
    }

    private sealed record Entry(RecordSource Records, bool IsRemove, int Order);
}
