namespace Portal.Core.Adtech.Sync;

/// <summary>
/// What the adtech holds: the snapshot's records with the journal's last word on each key applied (a removed key left
/// out, an added record in place of the one held), read in key order without writing anything.
/// </summary>
internal sealed class FoldedRecords(RecordSource snapshot, JournalRecords journal) : RecordSource
{
    private bool _started;
    private bool _haveSnapshot;
    private bool _haveJournal;
    private RecordSource? _current;

    public override ReadOnlySpan<byte> Current => _current!.Current;

    public override async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = true;
            _haveSnapshot = await snapshot.MoveNextAsync(cancellationToken);
            _haveJournal = await journal.MoveNextAsync(cancellationToken);
        }
        else if (ReferenceEquals(_current, snapshot))
        {
            _haveSnapshot = await snapshot.MoveNextAsync(cancellationToken);
        }
        else if (_current is not null)
        {
            _haveJournal = await journal.MoveNextAsync(cancellationToken);
        }

        _current = null;
        while (_haveSnapshot || _haveJournal)
        {
            var order = !_haveJournal ? -1 : !_haveSnapshot ? 1 : MirrorRecord.Compare(snapshot.Current, journal.Current);
            if (order < 0)
            {
                _current = snapshot;
                return true;
            }

            if (order == 0)
            {
                _haveSnapshot = await snapshot.MoveNextAsync(cancellationToken); // the journal's word replaces the record held
            }

            if (!journal.IsRemove)
            {
                _current = journal;
                return true;
            }

            _haveJournal = await journal.MoveNextAsync(cancellationToken);
        }

        return false;
    }

    public override async ValueTask DisposeAsync()
    {
        await snapshot.DisposeAsync();
        await journal.DisposeAsync();
    }
}
