namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Sources read one after the other, opened only when reached (journal objects of one kind in sequence order); keys
/// must keep increasing from one source to the next, as they do within each.
/// </summary>
public sealed class ChainedRecords(IReadOnlyList<Func<CancellationToken, Task<RecordSource>>> sources, string name) : RecordSource
{
    private RecordSource? _current;
    private int _next;
    private byte[]? _lastKey;

    public override ReadOnlySpan<byte> Current => _current!.Current;

    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_current is not null && await _current.MoveNextAsync(cancellationToken))
        {
            return Checked();
        }

        while (_next < sources.Count)
        {
            if (_current is not null)
            {
                await _current.DisposeAsync();
            }

            _current = await sources[_next++](cancellationToken);
            if (await _current.MoveNextAsync(cancellationToken))
            {
                return Checked();
            }
        }

        return false;
    }

    /// <summary>Checks the current key against the last one of the sources before, and remembers it.</summary>
    private bool Checked()
    {
        var key = MirrorRecord.Key(_current!.Current);
        if (_lastKey is not null && key.SequenceCompareTo(_lastKey) <= 0)
        {
            throw new InvalidDataException($"{name} is out of key order");
        }

        _lastKey ??= new byte[MirrorRecord.KeySize];
        key.CopyTo(_lastKey);
        return true;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
        }
    }
}
