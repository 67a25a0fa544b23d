namespace Portal.Core.Adtech.Sync;

/// <summary>Another source's records, each as accepted on <paramref name="day"/> (its day set, its flags cleared).</summary>
public sealed class DatedRecords(RecordSource records, int day) : RecordSource
{
    private byte[] _current = new byte[1024];
    private int _length;

    public override ReadOnlySpan<byte> Current => _current.AsSpan(0, _length);

    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var moved = records.MoveNextAsync(cancellationToken);
        return moved.IsCompletedSuccessfully ? ValueTask.FromResult(moved.Result && Date()) : DateAfterAsync(moved);
    }

    private async ValueTask<bool> DateAfterAsync(ValueTask<bool> moving) => await moving && Date();

    /// <summary>Copies the source's record, dated; true.</summary>
    private bool Date()
    {
        _length = records.Current.Length;
        if (_current.Length < _length)
        {
            _current = new byte[_length * 2];
        }

        records.Current.CopyTo(_current);
        MirrorRecord.SetDay(_current, day);
        MirrorRecord.SetFlags(_current, RecordFlags.None);
        return true;
    }

    public override ValueTask DisposeAsync() => records.DisposeAsync();
}
