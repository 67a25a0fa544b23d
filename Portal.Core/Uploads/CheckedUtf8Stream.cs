using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Portal.Core.Uploads;

/// <summary>
/// The file's bytes on their way to the CSV parser: checks that they are UTF-8 as they pass (an invalid byte, or a
/// file that ends inside a character, stops the import with the line it is on), and counts and hashes them (SHA-256)
/// without keeping them. Read-only and forward-only.
/// </summary>
internal sealed class CheckedUtf8Stream(Stream inner) : Stream
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _pending = new byte[4];
    private int _pendingCount;
    private long _newlines;
    private bool _finished;

    /// <summary>Bytes read from the file so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>SHA-256 of every byte, lower-case hex; only once the file has been read to its end.</summary>
    public string Checksum => _finished ? Convert.ToHexStringLower(_sha.GetCurrentHash()) : throw new InvalidOperationException("The file has not been read to its end.");

    /// <summary>Reads whatever the parser left unread (nothing, normally), so that the checksum and the check cover every byte.</summary>
    public async Task ReadToEndAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Take(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Take(buffer[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private void Take(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            if (!_finished && _pendingCount > 0)
            {
                throw Invalid(_newlines + 1, _pending[0], "the file ends inside a character");
            }

            _finished = true;
            return;
        }

        _sha.AppendData(data);
        var start = CompletePending(data);
        if (_pendingCount > 0)
        {
            // every byte went into a character that the next read completes
            BytesRead += data.Length;
            return;
        }

        var rest = data[start..];
        var tail = IncompleteTail(rest);
        var body = rest[..^tail];
        if (!Utf8.IsValid(body))
        {
            var at = start + FirstInvalid(body);
            throw Invalid(_newlines + data[..at].Count((byte)'\n') + 1, data[at], null);
        }

        rest[^tail..].CopyTo(_pending);
        _pendingCount = tail;
        _newlines += data.Count((byte)'\n');
        BytesRead += data.Length;
    }

    /// <summary>Finishes a character split across two reads; returns how many bytes of <paramref name="data"/> it took.</summary>
    private int CompletePending(ReadOnlySpan<byte> data)
    {
        var taken = 0;
        while (_pendingCount > 0)
        {
            if (taken == data.Length)
            {
                return taken; // still incomplete: wait for the next read
            }

            _pending[_pendingCount++] = data[taken++];
            switch (System.Text.Rune.DecodeFromUtf8(_pending.AsSpan(0, _pendingCount), out _, out var consumed))
            {
                case System.Buffers.OperationStatus.Done when consumed == _pendingCount:
                    _pendingCount = 0;
                    break;
                case System.Buffers.OperationStatus.NeedMoreData when _pendingCount < 4:
                    break;
                default:
                    throw Invalid(_newlines + 1, _pending[0], null);
            }
        }

        return taken;
    }

    /// <summary>How many bytes at the end start a character that the next read completes (0 to 3).</summary>
    private static int IncompleteTail(ReadOnlySpan<byte> data)
    {
        for (var back = 1; back <= Math.Min(3, data.Length); back++)
        {
            var b = data[^back];
            if ((b & 0xC0) != 0x80)
            {
                // the last byte that starts a character: incomplete if it announces more bytes than follow
                var status = System.Text.Rune.DecodeFromUtf8(data[^back..], out _, out _);
                return status == System.Buffers.OperationStatus.NeedMoreData ? back : 0;
            }
        }

        return 0;
    }

    private static int FirstInvalid(ReadOnlySpan<byte> data)
    {
        var at = 0;
        while (at < data.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(data[at..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return data.Length - 1;
    }

    private static ImportRejectedException Invalid(long line, byte value, string? why) =>
        new(string.Create(CultureInfo.InvariantCulture, $"line {line}: the file is not UTF-8 ({why ?? $"byte 0x{value:X2} is not valid there"}); save it as UTF-8 and upload it again"),
            ImportRejection.Encoding, line);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The text encoding the parser decodes with: UTF-8 (its byte-order mark skipped), which the check above makes safe.</summary>
    public static Encoding Encoding { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true);
}
