using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The raw digests of a snapshot's records (<see cref="SnapshotDigests"/>), read into a <see cref="DigestTable"/>:
/// how many records the snapshot has, its <see cref="KeyCheck"/>, and into how many partitions (a power of two) the
/// digests are split so that each partition's table holds at most a given number of members (then the members are read
/// once per partition). Records without a digest are left out.
/// </summary>
internal sealed record SnapshotIndex(long Records, byte[] Check, int Partitions, DigestTable Table)
{
    /// <summary>Partition 0's table, or null when the snapshot has no digests file.</summary>
    public static async Task<SnapshotIndex?> LoadAsync(IBucket bucket, string path, int maxMembers, CancellationToken cancellationToken)
    {
        if (!await bucket.ExistsAsync(path, cancellationToken))
        {
            return null;
        }

        await using var stream = await bucket.OpenReadAsync(path, cancellationToken);
        var (records, check, _) = await SnapshotDigests.ReadHeaderAsync(stream, path, cancellationToken);
        var partitions = 1;
        while (records / partitions > maxMembers)
        {
            partitions *= 2;
        }

        var table = new DigestTable(CapacityBits(records / partitions));
        return new SnapshotIndex(records, check, partitions, await ReadAsync(stream, records, 0, partitions, table, cancellationToken));
    }

    /// <summary>Reads the digests file again, refilling <see cref="Table"/> with one partition's digests (one table for every partition).</summary>
    public async Task<DigestTable> PartitionAsync(IBucket bucket, string path, int partition, CancellationToken cancellationToken)
    {
        await using var stream = await bucket.OpenReadAsync(path, cancellationToken);
        await SnapshotDigests.ReadHeaderAsync(stream, path, cancellationToken);
        Table.Clear();
        return await ReadAsync(stream, Records, partition, Partitions, Table, cancellationToken);
    }

    /// <summary>True when <paramref name="check"/> (of the snapshot as the sync read it) is the one these digests were written for.</summary>
    public bool Matches(KeyCheck check) => check.Count == Records && check.Value().AsSpan().SequenceEqual(Check);

    private static async Task<DigestTable> ReadAsync(Stream stream, long records, int partition, int partitions, DigestTable table,
        CancellationToken cancellationToken)
    {
        var buffer = new byte[4096 * RawDigest.Size];
        var position = 0;
        while (position < records)
        {
            var count = (int)Math.Min(records - position, buffer.Length / RawDigest.Size);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, count * RawDigest.Size), cancellationToken);
            for (var i = 0; i < count; i++, position++)
            {
                var digest = buffer.AsSpan(i * RawDigest.Size, RawDigest.Size);
                if (!RawDigest.IsUnknown(digest) && DigestTable.PartitionOf(digest, partitions) == partition)
                {
                    table.Add(digest, position);
                }
            }
        }

        return table;
    }

    /// <summary>A table size (bits) that holds <paramref name="members"/> at most three quarters full.</summary>
    private static int CapacityBits(long members)
    {
        var bits = 10;
        while ((1L << bits) * 3 < members * 4)
        {
            bits++;
        }

        return bits;
    }
}
