using System.Buffers.Binary;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The raw digests of what the adtech holds, in record order, kept beside the snapshot (<c>&lt;adtech&gt;.digests</c>):
/// the file's magic, the record count, the <see cref="KeyCheck"/> of the records they belong to and the journal they
/// cover (the snapshot folded with the journal's objects numbered below it), then 16 bytes a record. A sync reads these
/// (about a tenth of the snapshot) to know which members it need not hash again. Written from a local file filled while
/// the records went by (a fold writing the snapshot, or a sync computing its difference).
/// </summary>
internal sealed class SnapshotDigests : IAsyncDisposable
{
    private static int CountAt => MirrorFiles.Digests.Length;

    private static int CheckAt => CountAt + sizeof(long);

    private static int JournalEndAt => CheckAt + RawDigest.Size;

    private static int HeaderSize => JournalEndAt + sizeof(int);

    private readonly FileStream _file = new(Path.Combine(Path.GetTempPath(), $"portal-digests-{Guid.NewGuid():N}"), FileMode.CreateNew,
        FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);

    private readonly KeyCheck _check = new();

    /// <summary>Notes the next record of what the adtech holds.</summary>
    public void Add(ReadOnlySpan<byte> record)
    {
        _check.Add(record);
        _file.Write(MirrorRecord.Digest(record));
    }

    /// <summary>Writes the digests noted to the bucket, as covering the journal's objects numbered below <paramref name="journalEnd"/>.</summary>
    public Task WriteAsync(IBucket bucket, string path, int journalEnd, CancellationToken cancellationToken) =>
        bucket.WriteAsync(path, async (stream, ct) =>
        {
            var header = new byte[HeaderSize];
            MirrorFiles.Digests.Span.CopyTo(header);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(CountAt), _check.Count);
            _check.Value().CopyTo(header.AsSpan(CheckAt));
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(JournalEndAt), journalEnd);
            await stream.WriteAsync(header, ct);
            _file.Position = 0;
            await _file.CopyToAsync(stream, ct);
        }, cancellationToken);

    public ValueTask DisposeAsync() => _file.DisposeAsync();

    /// <summary>
    /// Reads a digests file's header: the record count and key check of the records it describes, and the journal it
    /// covers (none for the first format, which described the snapshot alone).
    /// </summary>
    public static async Task<(long Records, byte[] Check, int JournalEnd)> ReadHeaderAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        await stream.ReadExactlyAsync(header.AsMemory(0, JournalEndAt), cancellationToken);
        var magic = header.AsSpan(0, MirrorFiles.Digests.Length);
        var legacy = magic.SequenceEqual(MirrorFiles.LegacyDigests.Span);
        if (!legacy && !magic.SequenceEqual(MirrorFiles.Digests.Span))
        {
            throw new InvalidDataException($"{name} is not a mirror digests file");
        }

        if (!legacy)
        {
            await stream.ReadExactlyAsync(header.AsMemory(JournalEndAt, sizeof(int)), cancellationToken);
        }

        return (BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(CountAt)), header[CheckAt..JournalEndAt],
            legacy ? 0 : BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(JournalEndAt)));
    }

    /// <summary>The journal a digests file covers (0 when there is none, or when it covers none).</summary>
    public static async Task<int> JournalEndAsync(IBucket bucket, string path, CancellationToken cancellationToken)
    {
        if (!await bucket.ExistsAsync(path, cancellationToken))
        {
            return 0;
        }

        await using var stream = await bucket.OpenReadAsync(path, cancellationToken);
        return (await ReadHeaderAsync(stream, path, cancellationToken)).JournalEnd;
    }
}
