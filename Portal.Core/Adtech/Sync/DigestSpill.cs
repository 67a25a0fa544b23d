using System.Buffers.Binary;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// A first pass over the members when the snapshot has too many digests for one table: hashes nothing, and writes each
/// member's raw digest with its place in the pass to the file of its partition (<see cref="DigestTable.PartitionOf"/>),
/// so that each partition can then be looked up in a table of the snapshot's digests of that partition alone
/// (<see cref="LookUpAsync"/>). The members are read twice whatever the snapshot's size, and memory holds one partition's table.
/// </summary>
internal sealed class DigestSpill : DigestFilter, IAsyncDisposable
{
    private const int EntrySize = RawDigest.Size + sizeof(int);

    private readonly string[] _paths;
    private readonly FileStream?[] _files;
    private readonly byte[] _entry = new byte[EntrySize];

    public DigestSpill(string folder, int partitions)
    {
        Directory.CreateDirectory(folder);
        _paths = [.. Enumerable.Range(0, partitions).Select(p => Path.Combine(folder, $"digests-{p:D3}"))];
        _files = [.. _paths.Select(path => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))];
    }

    /// <summary>The members read and the order they came in, for the second pass to check against.</summary>
    public MemberOrder Order { get; } = new();

    public override bool MustHash(long ordinal, ReadOnlySpan<byte> digest) => false;

    public override void AfterChunk(long first, ReadOnlySpan<byte> digests)
    {
        var count = digests.Length / RawDigest.Size;
        if (first + count > int.MaxValue)
        {
            throw new InvalidOperationException($"An audience of more than {int.MaxValue:N0} members cannot be synced");
        }

        for (var i = 0; i < count; i++)
        {
            var digest = digests.Slice(i * RawDigest.Size, RawDigest.Size);
            digest.CopyTo(_entry);
            BinaryPrimitives.WriteInt32LittleEndian(_entry.AsSpan(RawDigest.Size), (int)(first + i));
            _files[DigestTable.PartitionOf(digest, _files.Length)]!.Write(_entry);
        }

        Order.Add(first, digests);
    }

    /// <summary>
    /// Looks the members' digests of <paramref name="partition"/> up in <paramref name="table"/> (the snapshot's digests of
    /// that partition): a record found is marked in <paramref name="present"/>, a member not found in <paramref name="unknown"/>
    /// (by its place). Returns how many members were found as a record another member was found as already.
    /// </summary>
    public async Task<long> LookUpAsync(int partition, DigestTable table, PositionSet present, PositionSet unknown, CancellationToken cancellationToken)
    {
        await CloseAsync();
        long repeated = 0;
        var buffer = new byte[4096 * EntrySize];
        await using var file = new FileStream(_paths[partition], FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        int read;
        while ((read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
        {
            if (read % EntrySize != 0)
            {
                throw new InvalidDataException($"The digests file of partition {partition} ends inside an entry");
            }

            for (var at = 0; at < read; at += EntrySize)
            {
                var position = table.Find(buffer.AsSpan(at, RawDigest.Size));
                if (position < 0)
                {
                    unknown.Mark(BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(at + RawDigest.Size)));
                }
                else if (!present.Mark(position))
                {
                    repeated++;
                }
            }
        }

        File.Delete(_paths[partition]);
        return repeated;
    }

    public async ValueTask DisposeAsync() => await CloseAsync();

    private async Task CloseAsync()
    {
        for (var p = 0; p < _files.Length; p++)
        {
            if (_files[p] is { } file)
            {
                await file.DisposeAsync();
                _files[p] = null;
            }
        }
    }
}
