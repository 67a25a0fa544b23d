using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Hashes an audience's members as one adtech wants them and sorts them by record key in bounded memory: members are
/// read in chunks, hashed on every core, and packed as records into a run buffer of a fixed size; a full buffer is
/// sorted (on the key's first 8 bytes, then the whole key) and written to a run file. The runs are merged when read
/// (<see cref="SortedMembers.Open"/>). Memory follows the run buffer and the chunk size, not the audience size.
/// </summary>
public static class MemberSorter
{
    /// <summary>Members read and hashed at once.</summary>
    public const int ChunkSize = 8_192;

    public static async Task<SortedMembers> SortAsync(IAsyncEnumerable<Member> members, NormalizationOptions normalization, string folder,
        int runBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var sorted = new SortedMembers(folder);
        try
        {
            var run = new RunBuffer(runBytes);
            var batch = new MemberBatch(ChunkSize);
            var hashed = new HashedMember[ChunkSize];
            await foreach (var member in members.WithCancellation(cancellationToken))
            {
                batch.Add(member);
                if (batch.Count == ChunkSize)
                {
                    await AddChunkAsync(batch, hashed, normalization, run, sorted, cancellationToken);
                    batch.Clear();
                }
            }

            await AddChunkAsync(batch, hashed, normalization, run, sorted, cancellationToken);
            await FlushRunAsync(run, sorted, cancellationToken);
            return sorted;
        }
        catch
        {
            await sorted.DisposeAsync();
            throw;
        }
    }

    /// <summary>Hashes a chunk on every core and packs its members that kept an identifier into the run (flushing it first when full).</summary>
    private static async Task AddChunkAsync(MemberBatch batch, HashedMember[] hashed, NormalizationOptions normalization, RunBuffer run,
        SortedMembers sorted, CancellationToken cancellationToken)
    {
        var stats = new HashStats();
        Parallel.For(0, batch.Count, () => new HashStats(), (i, _, local) =>
        {
            hashed[i] = local.Hash(batch, i, normalization);
            return local;
        }, stats.Add);
        sorted.Stats.Add(stats);

        var bytes = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            bytes += hashed[i].IsEmpty ? 0 : MirrorRecord.Length(hashed[i]);
        }

        if (!run.Fits(bytes, batch.Count))
        {
            await FlushRunAsync(run, sorted, cancellationToken);
            run.Reserve(bytes, batch.Count);
        }

        var offsets = run.Append(hashed.AsSpan(0, batch.Count));
        Parallel.For(0, batch.Count, i =>
        {
            if (offsets[i] >= 0)
            {
                run.Write(hashed[i], offsets[i]);
            }
        });
        Array.Clear(hashed, 0, batch.Count);
    }

    private static async Task FlushRunAsync(RunBuffer run, SortedMembers sorted, CancellationToken cancellationToken)
    {
        if (run.Count == 0)
        {
            return;
        }

        run.Sort();
        var path = Path.Combine(sorted.Folder, $"run-{sorted.Runs.Count:D5}");
        await using (var file = MirrorFiles.CreateWork(path))
        {
            var writer = new RecordWriter(file, 1 << 20);
            writer.Start(MirrorFiles.Work.Span);
            sorted.DuplicatesInRuns += await run.WriteDistinctAsync(writer, cancellationToken);
            await writer.FlushAsync(cancellationToken);
        }

        sorted.Runs.Add(path);
        run.Clear();
    }
}
