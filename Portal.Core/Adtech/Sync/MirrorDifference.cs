namespace Portal.Core.Adtech.Sync;

/// <summary>How the current members differ from what the adtech holds.</summary>
public sealed record MirrorCounts(long ToAdd, long ToRemove, long Unchanged);

/// <summary>
/// The difference between what the adtech holds and the current members, as a merge-join of the two sorted sources:
/// a key only in the snapshot is a remove, only in the current members an add, in both unchanged. The removes and the
/// adds are written to their own files in key order, so that all removes can be sent before any add.
/// </summary>
public static class MirrorDifference
{
    public static async Task<MirrorCounts> ComputeAsync(RecordSource snapshot, RecordSource current, RecordWriter removes, RecordWriter adds,
        CancellationToken cancellationToken)
    {
        long unchanged = 0;
        var haveSnapshot = await snapshot.MoveNextAsync(cancellationToken);
        var haveCurrent = await current.MoveNextAsync(cancellationToken);
        while (haveSnapshot || haveCurrent)
        {
            var order = !haveCurrent ? -1 : !haveSnapshot ? 1 : MirrorRecord.Compare(snapshot.Current, current.Current);
            if (order < 0)
            {
                removes.Add(snapshot.Current);
                await removes.FlushIfFullAsync(cancellationToken);
                haveSnapshot = await snapshot.MoveNextAsync(cancellationToken);
            }
            else if (order > 0)
            {
                adds.Add(current.Current);
                await adds.FlushIfFullAsync(cancellationToken);
                haveCurrent = await current.MoveNextAsync(cancellationToken);
            }
            else
            {
                unchanged++;
                haveSnapshot = await snapshot.MoveNextAsync(cancellationToken);
                haveCurrent = await current.MoveNextAsync(cancellationToken);
            }
        }

        await removes.FlushAsync(cancellationToken);
        await adds.FlushAsync(cancellationToken);
        return new MirrorCounts(adds.Count, removes.Count, unchanged);
    }
}
