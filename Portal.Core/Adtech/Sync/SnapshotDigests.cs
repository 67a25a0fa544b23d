using System.Buffers.Binary;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The raw digests of a snapshot's records, in record order, kept beside it (<c>&lt;adtech&gt;.digests</c>): the
/// file's magic, the record count and the <see cref="KeyCheck"/> of the snapshot they belong to, then 16 bytes a
/// record. A sync reads these (about a tenth of the snapshot) to know which members it need not hash again. Written
/// after each new snapshot from a local file filled while the snapshot was written.
/// </summary>
internal sealed class SnapshotDigests : IAsyncDisposable
{
    public static int HeaderSize => MirrorFiles.Digests.Length + sizeof(long) + RawDigest.Size;

    private readonly FileStream _file = new(Path.Combine(Path.GetTempPath(), $"portal-digests-{Guid.NewGuid():N}"), FileMode.CreateNew,
        FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);

    private readonly KeyCheck _check = new();

    /// <summary>Notes a record written to the new snapshot.</summary>
    public void Add(ReadOnlySpan<byte> record)
    {
        _check.Add(record);
        _file.Write(MirrorRecord.Digest(record));
    }

    /// <summary>Writes the digests noted to the bucket.</summary>
    public Task WriteAsync(IBucket bucket, string path, CancellationToken cancellationToken) =>
        bucket.WriteAsync(path, async (stream, ct) =>
        {
            var header = new byte[HeaderSize];
            MirrorFiles.Digests.Span.CopyTo(header);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(MirrorFiles.Digests.Length), _check.Count);
            _check.Value().CopyTo(header.AsSpan(MirrorFiles.Digests.Length + sizeof(long)));
            await stream.WriteAsync(header, ct);
            _file.Position = 0;
            await _file.CopyToAsync(stream, ct);
        }, cancellationToken);

    public ValueTask DisposeAsync() => _file.DisposeAsync();

    /// <summary>Reads a digests file's header: the record count and key check of its snapshot.</summary>
    public static async Task<(long Records, byte[] Check)> ReadHeaderAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        await stream.ReadExactlyAsync(header, cancellationToken);
        if (!header.AsSpan(0, MirrorFiles.Digests.Length).SequenceEqual(MirrorFiles.Digests.Span))
        {
            throw new InvalidDataException($"{name} is not a mirror digests file");
        }

        return (BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(MirrorFiles.Digests.Length)), header[(MirrorFiles.Digests.Length + sizeof(long))..]);
    }
}
