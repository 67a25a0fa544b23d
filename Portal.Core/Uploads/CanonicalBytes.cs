using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Portal.Core.Uploads;

/// <summary>A reusable buffer of a row's (or key's) canonical bytes, hashed with XxHash128.</summary>
internal ref struct CanonicalBytes(byte[] buffer)
{
    private byte[] _buffer = buffer;
    private int _length;

    public readonly ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public readonly byte[] Buffer => _buffer;

    public void Byte(byte value)
    {
        Room(1);
        _buffer[_length++] = value;
    }

    public void Int64(long value)
    {
        Room(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void Text(string value)
    {
        var bytes = MemoryMarshal.AsBytes(value.AsSpan());
        Room(4 + bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value.Length);
        bytes.CopyTo(_buffer.AsSpan(_length + 4));
        _length += 4 + bytes.Length;
    }

    public readonly UInt128 Hash() => System.IO.Hashing.XxHash128.HashToUInt128(Span);

    private void Room(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}
