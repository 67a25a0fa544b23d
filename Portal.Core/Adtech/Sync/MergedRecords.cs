namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The k-way merge of sorted sources into one sorted source, each key once: a record whose key equals the one before
/// is skipped and counted (the same member in two runs). A move whose sources answer at once (their records already
/// read) completes without an asynchronous step: a merge moves once per record.
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
    private bool _haveLast;
    private bool _ended;
    private long _skipped;

    /// <param name="duplicates">Told at the end how many records were skipped as keys seen already.</param>
    public MergedRecords(RecordSource[] sources, Action<long> duplicates)
    {
        _sources = sources;
        _duplicates = duplicates;
        _queue = new PriorityQueue<RecordSource, RecordSource>(sources.Length, ByKey);
    }

    public override ReadOnlySpan<byte> Current => _head!.Current;

    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return StartAsync(cancellationToken);
        }

        if (_head is not { } head)
        {
            return ValueTask.FromResult(false);
        }

        MirrorRecord.Key(head.Current).CopyTo(_lastKey);
        _haveLast = true;
        _head = null;
        var moved = head.MoveNextAsync(cancellationToken);
        return moved.IsCompletedSuccessfully ? Take(head, moved.Result, cancellationToken) : TakeAfterAsync(head, moved, cancellationToken);
    }

    private async ValueTask<bool> StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        foreach (var source in _sources)
        {
            if (await source.MoveNextAsync(cancellationToken))
            {
                _queue.Enqueue(source, source);
            }
        }

        return await Take(null, false, cancellationToken);
    }

    /// <summary>Puts <paramref name="moved"/> back when it has a record, then takes the least record that is not the key before.</summary>
    private ValueTask<bool> Take(RecordSource? moved, bool hasRecord, CancellationToken cancellationToken)
    {
        if (hasRecord)
        {
            _queue.Enqueue(moved!, moved!);
        }

        while (_queue.TryDequeue(out var next, out _))
        {
            if (_haveLast && MirrorRecord.Key(next.Current).SequenceEqual(_lastKey))
            {
                _skipped++;
                var again = next.MoveNextAsync(cancellationToken);
                if (!again.IsCompletedSuccessfully)
                {
                    return TakeAfterAsync(next, again, cancellationToken);
                }

                if (again.Result)
                {
                    _queue.Enqueue(next, next);
                }

                continue;
            }

            _head = next;
            return ValueTask.FromResult(true);
        }

        if (!_ended)
        {
            _ended = true;
            _duplicates(_skipped);
        }

        return ValueTask.FromResult(false);
    }

    private async ValueTask<bool> TakeAfterAsync(RecordSource source, ValueTask<bool> moving, CancellationToken cancellationToken) =>
        await Take(source, await moving, cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
        {
            await source.DisposeAsync();
        }
    }
}
