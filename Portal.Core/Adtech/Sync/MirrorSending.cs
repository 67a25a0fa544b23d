using System.Buffers;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Sends a sync's work files in batches, journaling each batch the adtech accepts (its records dated
/// <paramref name="today"/>), and counts what was accepted. Records of the adds file flagged
/// <see cref="RecordFlags.None"/> are journaled with the batch they fall in without being sent (a new raw digest for a
/// member held already). Journal objects are numbered on from <paramref name="firstSequence"/>.
/// </summary>
internal sealed class MirrorSending(MirrorSnapshot snapshot, IMirrorTarget target, int today, int firstSequence)
{
    /// <summary>Records per journal object at most when few of them are sent.</summary>
    private const int JournalRecords = 50_000;

    private int _sequence = firstSequence;

    /// <summary>The number the next journaled batch gets.</summary>
    public int NextSequence => _sequence;

    public long Added { get; private set; }
    public long Refreshed { get; private set; }
    public long Removed { get; private set; }
    public long Rejected { get; private set; }
    public int Batches { get; private set; }
    public MirrorAnswer? Last { get; private set; }

    /// <summary>False when the adtech refused a batch (nothing after it is sent).</summary>
    public async Task<bool> SendAsync(string file, MirrorChange change, CancellationToken cancellationToken)
    {
        await using var reader = MirrorFiles.OpenWork(file);
        var raw = new ArrayBufferWriter<byte>(1 << 20);
        var batch = new List<HashedMember>(target.BatchSize);
        var (records, refreshes) = (0, 0);
        var more = true;
        while (more)
        {
            more = await reader.MoveNextAsync(cancellationToken);
            if (more)
            {
                var flags = MirrorRecord.Flags(reader.Current);
                var sent = change == MirrorChange.Remove || flags != RecordFlags.None;
                if (sent)
                {
                    batch.Add(MirrorRecord.Read(reader.Current));
                    refreshes += flags == RecordFlags.Refresh ? 1 : 0;
                }

                var copy = raw.GetSpan(reader.Current.Length)[..reader.Current.Length];
                reader.Current.CopyTo(copy);
                MirrorRecord.SetFlags(copy, RecordFlags.None);
                if (sent && change == MirrorChange.Add)
                {
                    MirrorRecord.SetDay(copy, today);
                }

                raw.Advance(copy.Length);
                records++;
            }

            if (records == 0 || (more && batch.Count < target.BatchSize && records < JournalRecords))
            {
                continue;
            }

            if (batch.Count > 0)
            {
                Last = change == MirrorChange.Remove ? await target.RemoveAsync(batch, cancellationToken) : await target.AddAsync(batch, cancellationToken);
                if (!Last.Accepted)
                {
                    return false;
                }

                Batches++;
                Rejected += Last.Rejected;
                Removed += change == MirrorChange.Remove ? batch.Count : 0;
                Added += change == MirrorChange.Add ? batch.Count - refreshes : 0;
                Refreshed += refreshes;
            }

            await snapshot.JournalAsync(_sequence++, change, raw.WrittenMemory, cancellationToken);
            batch = new List<HashedMember>(target.BatchSize); // the target may keep the list it was given
            raw.ResetWrittenCount();
            (records, refreshes) = (0, 0);
        }

        return true;
    }
}
