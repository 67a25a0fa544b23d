namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Reads a mirror file's records from a stream through one buffer (grown only for a record larger than it), checking
/// the file's kind at the start and that keys strictly increase (a file out of order or with a key twice is damaged).
/// A file of the kind's first format (its legacy magic) is read as records of today's, with facts that say nothing is
/// known (<see cref="MirrorRecord.UpgradeLegacy"/>).
/// </summary>
public sealed class RecordReader : RecordSource
{
    private readonly Stream _stream;
    private readonly string _name;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _current = -1;
    private int _length;
    private byte[]? _previousKey;
    private bool _headerRead;
    private readonly ReadOnlyMemory<byte> _magic;
    private readonly ReadOnlyMemory<byte> _legacyMagic;
    private byte[]? _upgraded;
    private int _upgradedLength;

    /// <param name="name">What the stream is, for error messages (a bucket path).</param>
    /// <param name="legacyMagic">The magic of the kind's first format, read too (none: only <paramref name="magic"/>).</param>
    public RecordReader(Stream stream, ReadOnlyMemory<byte> magic, string name, int bufferSize = 64 * 1024, ReadOnlyMemory<byte> legacyMagic = default)
    {
        _stream = stream;
        _magic = magic;
        _legacyMagic = legacyMagic;
        _name = name;
        _buffer = new byte[Math.Max(bufferSize, MirrorRecord.HeaderSize)];
    }

    /// <summary>How many records were read so far.</summary>
    public long Count { get; private set; }

    /// <summary>True when the file is of the kind's first format.</summary>
    public bool IsLegacy => _upgraded is not null;

    public override ReadOnlySpan<byte> Current => _upgraded is null ? _buffer.AsSpan(_current, _length) : _upgraded.AsSpan(0, _upgradedLength);

    /// <remarks>A record already in the buffer is taken without an asynchronous step (most of them: a file is read a buffer at a time).</remarks>
    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_current >= 0)
        {
            _previousKey ??= new byte[MirrorRecord.KeySize];
            MirrorRecord.Key(Current).CopyTo(_previousKey);
            _start = _current + _length;
            _current = -1;
        }

        if (_headerRead && _upgraded is null && _end - _start >= MirrorRecord.HeaderSize
            && MirrorRecord.Length(_buffer.AsSpan(_start)) is var length && _end - _start >= length)
        {
            return ValueTask.FromResult(Take(length));
        }

        return ReadNextAsync(cancellationToken);
    }

    /// <summary>Reads the file's magic first if need be, then the next record, filling the buffer from the stream.</summary>
    private async ValueTask<bool> ReadNextAsync(CancellationToken cancellationToken)
    {
        if (!_headerRead)
        {
            _headerRead = true;
            if (!await FillAsync(_magic.Length, cancellationToken))
            {
                throw new InvalidDataException($"{_name} is not a mirror file of this kind");
            }

            if (!_buffer.AsSpan(_start, _magic.Length).SequenceEqual(_magic.Span))
            {
                if (_legacyMagic.IsEmpty || _legacyMagic.Length != _magic.Length || !_buffer.AsSpan(_start, _magic.Length).SequenceEqual(_legacyMagic.Span))
                {
                    throw new InvalidDataException($"{_name} is not a mirror file of this kind");
                }

                _upgraded = new byte[1024];
            }

            _start += _magic.Length;
        }

        var legacy = _upgraded is not null;
        if (!await FillAsync(legacy ? MirrorRecord.LegacyHeaderSize : MirrorRecord.HeaderSize, cancellationToken))
        {
            if (_end > _start)
            {
                throw new InvalidDataException($"{_name} ends in the middle of a record");
            }

            return false;
        }

        var length = legacy ? MirrorRecord.LegacyLength(_buffer.AsSpan(_start)) : MirrorRecord.Length(_buffer.AsSpan(_start));
        if (!await FillAsync(length, cancellationToken))
        {
            throw new InvalidDataException($"{_name} ends in the middle of a record");
        }

        return Take(length);
    }

    /// <summary>Makes the <paramref name="length"/> bytes at <see cref="_start"/> the current record (upgraded if legacy), checking its key's order; true.</summary>
    private bool Take(int length)
    {
        _current = _start;
        _length = length;
        if (_upgraded is not null)
        {
            if (_upgraded.Length < length + MirrorRecord.MetaSize)
            {
                _upgraded = new byte[(length + MirrorRecord.MetaSize) * 2];
            }

            _upgradedLength = MirrorRecord.UpgradeLegacy(_buffer.AsSpan(_start, length), _upgraded);
        }

        if (_previousKey is not null && MirrorRecord.Key(Current).SequenceCompareTo(_previousKey) <= 0)
        {
            throw new InvalidDataException($"{_name}: record {Count + 1:N0} is out of key order");
        }

        Count++;
        return true;
    }

    /// <summary>Makes at least <paramref name="bytes"/> bytes available from <see cref="_start"/>; false when the stream ends first.</summary>
    private async ValueTask<bool> FillAsync(int bytes, CancellationToken cancellationToken)
    {
        if (_end - _start >= bytes)
        {
            return true;
        }

        if (_buffer.Length - _start < bytes)
        {
            var target = _buffer.Length < bytes ? new byte[Math.Max(bytes, _buffer.Length * 2)] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
            (_buffer, _end, _start) = (target, _end - _start, 0);
        }

        while (_end - _start < bytes)
        {
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }

    public override ValueTask DisposeAsync() => _stream.DisposeAsync();
}
