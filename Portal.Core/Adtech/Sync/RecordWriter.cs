namespace Portal.Core.Adtech.Sync;

/// <summary>Writes records to a stream through one buffer: <see cref="Add"/> copies, <see cref="FlushIfFullAsync"/> writes when it filled.</summary>
public sealed class RecordWriter(Stream stream, int bufferSize = 64 * 1024)
{
    private byte[] _buffer = new byte[bufferSize];
    private int _length;

    public long Count { get; private set; }

    /// <summary>Writes a file kind's magic bytes (before the first record).</summary>
    public void Start(ReadOnlySpan<byte> magic) => Copy(magic);

    public void Add(ReadOnlySpan<byte> record)
    {
        Copy(record);
        Count++;
    }

    public ValueTask FlushIfFullAsync(CancellationToken cancellationToken) =>
        _length >= bufferSize / 2 ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
        _length = 0;
    }

    private void Copy(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_length + bytes.Length, _buffer.Length * 2));
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }
}
