namespace Portal.Core.Adtech.Sync;

/// <summary>
/// How the current members differ from what the adtech holds: <paramref name="ToRefresh"/> are held but accepted too long
/// ago (sent again as adds); <paramref name="Unchanged"/> held and not sent; <paramref name="Repeated"/> current members
/// that were another member's record already; <paramref name="Invalid"/> invalid values of the members known by digest
/// (they were not hashed again, so the record's count stands in).
/// </summary>
public sealed record MirrorCounts(long ToAdd, long ToRemove, long Unchanged, long ToRefresh = 0, long Retagged = 0, long Repeated = 0, long Invalid = 0);

/// <summary>
/// The difference between what the adtech holds and the current members, as a merge-join of the snapshot with the
/// members hashed this time (sorted): a snapshot record is held when a member was found as it by raw digest
/// (<see cref="PositionSet"/>) or hashed to its key, and a remove otherwise; a hashed member the snapshot lacks is an
/// add. A held record accepted before <c>refreshBefore</c> (a day number) is sent again as an add. A held record whose
/// member was hashed (its raw values changed, or it was kept without a digest) goes to the adds file unsent, to be
/// journaled with its new digest. The removes and the adds are written to their own files in key order, so that all
/// removes can be sent before any add.
/// </summary>
public static class MirrorDifference
{
    public static async Task<MirrorCounts> ComputeAsync(RecordSource snapshot, RecordSource current, RecordWriter removes, RecordWriter adds,
        CancellationToken cancellationToken) =>
        await ComputeAsync(snapshot, null, current, removes, adds, int.MinValue, new KeyCheck(), null, cancellationToken);

    /// <param name="check">Given every snapshot record read, to check the digests the present set was made from.</param>
    /// <param name="next">
    /// Given, in key order, the record whose digest the adtech's audience will have for each member once every remove and
    /// add is accepted: the held record's, or the current one's where the adds file replaces it.
    /// </param>
    internal static async Task<MirrorCounts> ComputeAsync(RecordSource snapshot, PositionSet? present, RecordSource current, RecordWriter removes,
        RecordWriter adds, int refreshBefore, KeyCheck check, SnapshotDigests? next, CancellationToken cancellationToken)
    {
        long unchanged = 0, refresh = 0, retagged = 0, repeated = 0, invalid = 0, toAdd = 0, position = -1;
        var scratch = new byte[1024];
        var haveSnapshot = await snapshot.MoveNextAsync(cancellationToken);
        var haveCurrent = await current.MoveNextAsync(cancellationToken);
        position += haveSnapshot ? 1 : 0;
        while (haveSnapshot || haveCurrent)
        {
            var order = !haveCurrent ? -1 : !haveSnapshot ? 1 : MirrorRecord.Compare(snapshot.Current, current.Current);
            if (order < 0)
            {
                if (present?.Contains(position) == true)
                {
                    next?.Add(snapshot.Current);
                    invalid += MirrorRecord.Invalid(snapshot.Current);
                    if (MirrorRecord.Day(snapshot.Current) < refreshBefore)
                    {
                        refresh++;
                        Write(adds, snapshot.Current, MirrorRecord.Day(snapshot.Current), RecordFlags.Refresh, ref scratch);
                    }
                    else
                    {
                        unchanged++;
                    }
                }
                else
                {
                    removes.Add(snapshot.Current);
                    await removes.FlushIfFullAsync(cancellationToken);
                }
            }
            else if (order > 0)
            {
                toAdd++;
                next?.Add(current.Current);
                Write(adds, current.Current, MirrorRecord.NeverAccepted, RecordFlags.Add, ref scratch);
            }
            else
            {
                // Held, and hashed this time: its raw values changed (or were not known) but not its hashes. Its new digest
                // is journaled, unless another member with the same hashes was found by the digest kept already.
                var found = present?.Contains(position) == true;
                repeated += found ? 1 : 0;
                var day = MirrorRecord.Day(snapshot.Current);
                next?.Add(day < refreshBefore || !found ? current.Current : snapshot.Current);
                if (day < refreshBefore)
                {
                    refresh++;
                    Write(adds, current.Current, day, RecordFlags.Refresh, ref scratch);
                }
                else
                {
                    unchanged++;
                    if (!found)
                    {
                        retagged++;
                        Write(adds, current.Current, day, RecordFlags.None, ref scratch);
                    }
                }
            }

            await adds.FlushIfFullAsync(cancellationToken);
            if (order <= 0)
            {
                check.Add(snapshot.Current);
                haveSnapshot = await snapshot.MoveNextAsync(cancellationToken);
                position += haveSnapshot ? 1 : 0;
            }

            if (order >= 0)
            {
                haveCurrent = await current.MoveNextAsync(cancellationToken);
            }
        }

        await removes.FlushAsync(cancellationToken);
        await adds.FlushAsync(cancellationToken);
        return new MirrorCounts(toAdd, removes.Count, unchanged, refresh, retagged, repeated, invalid);
    }

    /// <summary>Adds a copy of <paramref name="record"/> with its day and flags set.</summary>
    private static void Write(RecordWriter writer, ReadOnlySpan<byte> record, int day, RecordFlags flags, ref byte[] scratch)
    {
        if (scratch.Length < record.Length)
        {
            scratch = new byte[record.Length * 2];
        }

        var copy = scratch.AsSpan(0, record.Length);
        record.CopyTo(copy);
        MirrorRecord.SetDay(copy, day);
        MirrorRecord.SetFlags(copy, flags);
        writer.Add(copy);
    }
}
