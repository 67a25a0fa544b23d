namespace Portal.Core.Audiences;

/// <summary>
/// A file stream that asks the system to start writing each 8 MiB to disk as soon as they are written
/// (<see cref="FileSystemCalls.StartWriteback"/>): the bucket flushes every file to disk before it renames it into
/// place, and for a file of 150 MB that flush took 0.2 s, with the disk idle while the file was written.
/// </summary>
internal sealed class WritebackStream(FileStream file) : Stream
{
    private const long Step = 8 << 20;

    private long _hinted;

    public override bool CanRead => file.CanRead;
    public override bool CanSeek => file.CanSeek;
    public override bool CanWrite => file.CanWrite;
    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => file.Position = value;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        file.Write(buffer);
        Hint();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await file.WriteAsync(buffer, cancellationToken);
        Hint();
    }

    public override int Read(byte[] buffer, int offset, int count) => file.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => file.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        file.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => file.ReadAsync(buffer, cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

    public override void SetLength(long value) => file.SetLength(value);

    public override void Flush() => file.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);

    /// <summary>
    /// Starts the write-back of what was written since the last hint, once that is a step or more. Getting the file's
    /// handle first writes out what the stream still buffers, so the whole range has reached the system.
    /// </summary>
    private void Hint()
    {
        var position = file.Position;
        if (position < _hinted)
        {
            _hinted = position;
        }
        else if (position - _hinted >= Step)
        {
            FileSystemCalls.StartWriteback(file.SafeFileHandle, _hinted, position - _hinted);
            _hinted = position;
        }
    }
}
