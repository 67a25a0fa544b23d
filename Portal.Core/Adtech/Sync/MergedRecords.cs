namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The k-way merge of sorted sources into one sorted source, each key once: a record whose key equals the one before
/// is skipped and counted (the same member in two runs).
/// </summary>
public sealed class MergedRecords : RecordSource
{
    private static readonly Comparer<RecordSource> ByKey = Comparer<RecordSource>.Create((a, b) => MirrorRecord.Compare(a.Current, b.Current));

    private readonly RecordSource[] _sources;
    private readonly Action<long> _duplicates;
    private readonly PriorityQueue<RecordSource, RecordSource> _queue;
    private readonly byte[] _lastKey = new byte[MirrorRecord.KeySize];
    private RecordSource? _head;
    private bool _started;

    /// <param name="duplicates">Told at the end how many records were skipped as keys seen already.</param>
    public MergedRecords(RecordSource[] sources, Action<long> duplicates)
    {
        _sources = sources;
        _duplicates = duplicates;
        _queue = new PriorityQueue<RecordSource, RecordSource>(sources.Length, ByKey);
    }

    private long _skipped;

    public override ReadOnlySpan<byte> Current => _head!.Current;

    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var haveLast = false;
        if (!_started)
        {
            _started = true;
            foreach (var source in _sources)
            {
                await EnqueueNextAsync(source, cancellationToken);
            }
        }
        else if (_head is { } head)
        {
            MirrorRecord.Key(head.Current).CopyTo(_lastKey);
            haveLast = true;
            _head = null;
            await EnqueueNextAsync(head, cancellationToken);
        }

        while (_queue.TryDequeue(out var next, out _))
        {
            if (haveLast && MirrorRecord.Key(next.Current).SequenceEqual(_lastKey))
            {
                _skipped++;
                await EnqueueNextAsync(next, cancellationToken);
                continue;
            }

            _head = next;
            return true;
        }

        _duplicates(_skipped);
        _skipped = 0;
        return false;
    }

    private async ValueTask EnqueueNextAsync(RecordSource source, CancellationToken cancellationToken)
    {
        if (await source.MoveNextAsync(cancellationToken))
        {
            _queue.Enqueue(source, source);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
        {
            await source.DisposeAsync();
        }
    }
}
