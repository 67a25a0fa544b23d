namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The raw digests of a snapshot's records, read into a <see cref="DigestTable"/>: how many records it has, and into how
/// many partitions (a power of two) its digests must be split so that each partition's table holds at most a given
/// number of members (then the members are read once per partition). Records without a digest are left out.
/// </summary>
internal sealed record SnapshotIndex(long Records, int Partitions, DigestTable Table)
{
    /// <summary>Reads the snapshot once: its record count, the partitions needed, and partition 0's table.</summary>
    public static Task<SnapshotIndex> BuildAsync(MirrorSnapshot snapshot, int maxMembers, CancellationToken cancellationToken) =>
        ReadAsync(snapshot, 0, 1, maxMembers, cancellationToken);

    /// <summary>Reads the snapshot again for the table of one partition.</summary>
    public static async Task<DigestTable> PartitionAsync(MirrorSnapshot snapshot, int partition, int partitions, CancellationToken cancellationToken) =>
        (await ReadAsync(snapshot, partition, partitions, int.MaxValue, cancellationToken)).Table;

    /// <summary>Reads <paramref name="partition"/>'s digests, doubling the partitions (and keeping partition 0) whenever the table passes <paramref name="maxMembers"/>.</summary>
    private static async Task<SnapshotIndex> ReadAsync(MirrorSnapshot snapshot, int partition, int partitions, int maxMembers, CancellationToken cancellationToken)
    {
        var table = new DigestTable();
        var position = 0;
        await using var records = await snapshot.OpenAsync(cancellationToken);
        while (await records.MoveNextAsync(cancellationToken))
        {
            var digest = MirrorRecord.Digest(records.Current);
            if (!RawDigest.IsUnknown(digest) && DigestTable.PartitionOf(digest, partitions) == partition)
            {
                table.Add(digest, position);
                if (table.Count > maxMembers)
                {
                    partitions *= 2;
                    table.KeepPartitionZero(partitions);
                }
            }

            position++;
        }

        return new SnapshotIndex(position, partitions, table);
    }
}
