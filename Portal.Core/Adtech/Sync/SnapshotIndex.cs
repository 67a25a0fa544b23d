using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The raw digests of a snapshot's records (<see cref="SnapshotDigests"/>): how many records the snapshot has, its
/// <see cref="KeyCheck"/>, and into how many partitions (a power of two) the digests are split so that each partition's
/// <see cref="DigestTable"/> holds at most a given number of members. Records without a digest are left out of the tables.
/// </summary>
internal sealed record SnapshotIndex(long Records, byte[] Check, int Partitions)
{
    /// <summary>The digests file's header, or null when the snapshot has no digests file.</summary>
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

        return new SnapshotIndex(records, check, partitions);
    }

    /// <summary>
    /// Reads the digests of one partition into a table: <paramref name="reuse"/> emptied (one table for every partition,
    /// each about the same size) or a new one.
    /// </summary>
    public async Task<DigestTable> ReadTableAsync(IBucket bucket, string path, int partition, DigestTable? reuse, CancellationToken cancellationToken)
    {
        await using var stream = await bucket.OpenReadAsync(path, cancellationToken);
        await SnapshotDigests.ReadHeaderAsync(stream, path, cancellationToken);
        var table = reuse ?? new DigestTable(CapacityBits(Records / Partitions));
        table.Clear();
        var buffer = new byte[4096 * RawDigest.Size];
        var position = 0;
        while (position < Records)
        {
            var count = (int)Math.Min(Records - position, buffer.Length / RawDigest.Size);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, count * RawDigest.Size), cancellationToken);
            for (var i = 0; i < count; i++, position++)
            {
                var digest = buffer.AsSpan(i * RawDigest.Size, RawDigest.Size);
                if (!RawDigest.IsUnknown(digest) && DigestTable.PartitionOf(digest, Partitions) == partition)
                {
                    table.Add(digest, position);
                }
            }
        }

        return table;
    }

    /// <summary>True when <paramref name="check"/> (of the snapshot as the sync read it) is the one these digests were written for.</summary>
    public bool Matches(KeyCheck check) => check.Count == Records && check.Value().AsSpan().SequenceEqual(Check);

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
