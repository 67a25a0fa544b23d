using System.Threading.Channels;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Hashes an audience's members as one adtech wants them and sorts them by record key in bounded memory. One task reads
/// the members into chunks while the chunks before are processed on every core: each member gets its raw digest
/// (<see cref="RawDigest"/>); a <see cref="DigestFilter"/> tells from it whether to hash the member (a member whose
/// digest the snapshot knows is not hashed again); the members to hash are hashed and packed as records into a run
/// buffer of a bounded size, and a full buffer is sorted (on the key's first 8 bytes, then the whole key) and written to
/// a run file. The runs are merged when read (<see cref="SortedMembers.Open"/>). Memory follows the run buffer and the
/// chunk size, not the audience size.
/// </summary>
public static class MemberSorter
{
    /// <summary>Members read and hashed at once.</summary>
    public const int ChunkSize = 8_192;

    /// <summary>Chunks read ahead of the one being hashed.</summary>
    private const int ChunksAhead = 2;

    /// <summary>Hashes and sorts every member into a new <see cref="SortedMembers"/> in <paramref name="folder"/>.</summary>
    public static async Task<SortedMembers> SortAsync(IAsyncEnumerable<Member> members, NormalizationOptions normalization, string folder,
        int runBytes, CancellationToken cancellationToken)
    {
        var sorted = new SortedMembers(folder);
        try
        {
            await AddAsync(sorted, members, normalization, null, new RunBuffer(runBytes), cancellationToken);
            return sorted;
        }
        catch
        {
            await sorted.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One pass over the members into <paramref name="sorted"/>'s runs: with <paramref name="filter"/>, only the members
    /// it says to hash. <paramref name="run"/> is empty before and after (one buffer for every pass of a sync).
    /// </summary>
    internal static async Task AddAsync(SortedMembers sorted, IAsyncEnumerable<Member> members, NormalizationOptions normalization, DigestFilter? filter,
        RunBuffer run, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(sorted.Folder);
        var free = Channel.CreateBounded<MemberBatch>(ChunksAhead + 1);
        var full = Channel.CreateBounded<MemberBatch>(ChunksAhead + 1);
        for (var i = 0; i < ChunksAhead + 1; i++)
        {
            free.Writer.TryWrite(new MemberBatch(ChunkSize));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(() => ReadAsync(members, free.Reader, full.Writer, stop.Token), stop.Token);
        try
        {
            var chunk = new Chunk(RawDigest.Seed(normalization), normalization, filter);
            await foreach (var batch in full.Reader.ReadAllAsync(stop.Token))
            {
                await chunk.AddAsync(batch, run, sorted, stop.Token);
                batch.Clear();
                free.Writer.TryWrite(batch);
            }

            await reading;
            await FlushRunAsync(run, sorted, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(reading);
        }
    }

    /// <summary>
    /// Reads the members into free chunks and hands each full one on (a member file straight into the chunks); completes
    /// the full channel (with the reader's error, if any).
    /// </summary>
    private static async Task ReadAsync(IAsyncEnumerable<Member> members, ChannelReader<MemberBatch> free, ChannelWriter<MemberBatch> full,
        CancellationToken cancellationToken)
    {
        try
        {
            var batch = await free.ReadAsync(cancellationToken);
            async ValueTask<MemberBatch> HandOverAsync(MemberBatch filled, CancellationToken ct)
            {
                await full.WriteAsync(filled, ct);
                return await free.ReadAsync(ct);
            }

            if (members is MemberFileMembers file)
            {
                batch = await file.ReadBatchesAsync(batch, ChunkSize, HandOverAsync, cancellationToken);
            }
            else
            {
                await foreach (var member in members.WithCancellation(cancellationToken))
                {
                    batch.Add(member);
                    if (batch.Count == ChunkSize)
                    {
                        batch = await HandOverAsync(batch, cancellationToken);
                    }
                }
            }

            if (batch.Count > 0)
            {
                await full.WriteAsync(batch, cancellationToken);
            }

            full.Complete();
        }
        catch (Exception ex)
        {
            full.Complete(ex);
            throw;
        }
    }

    /// <summary>The per-chunk work: digests, lookups and hashing on every core, then packing into the run.</summary>
    private sealed class Chunk(byte[] seed, NormalizationOptions normalization, DigestFilter? filter)
    {
        /// <summary>The place in the pass of the next chunk's first member.</summary>
        private long _first;

        private readonly HashedMember?[] _hashed = new HashedMember?[ChunkSize];
        private readonly byte[] _digests = new byte[ChunkSize * RawDigest.Size];
        private readonly int[] _invalid = new int[ChunkSize];

        public async Task AddAsync(MemberBatch batch, RunBuffer run, SortedMembers sorted, CancellationToken cancellationToken)
        {
            var stats = new HashStats();
            Parallel.For(0, batch.Count, () => new HashStats(), (i, _, local) =>
            {
                var digest = _digests.AsSpan(i * RawDigest.Size, RawDigest.Size);
                RawDigest.Compute(seed, batch, i, digest);
                if (filter?.MustHash(_first + i, digest) == false)
                {
                    return local;
                }

                var invalid = local.Invalid;
                _hashed[i] = local.Hash(batch, i, normalization);
                _invalid[i] = (int)(local.Invalid - invalid);
                return local;
            }, stats.Add);
            sorted.Stats.Add(stats);
            filter?.AfterChunk(_first, _digests.AsSpan(0, batch.Count * RawDigest.Size));
            _first += batch.Count;

            await PackAsync(_hashed, batch.Count, _digests, _invalid, run, sorted, cancellationToken);
            Array.Clear(_hashed, 0, batch.Count);
        }
    }

    /// <summary>
    /// Packs the first <paramref name="count"/> members hashed (nulls and members left without a value skipped) as records
    /// into the run, with their raw digests and invalid counts; a full run is sorted and written first.
    /// </summary>
    internal static async Task PackAsync(HashedMember?[] hashed, int count, byte[] digests, int[] invalid, RunBuffer run, SortedMembers sorted,
        CancellationToken cancellationToken)
    {
        var bytes = RunBuffer.BytesFor(hashed, count);
        if (!run.Fits(bytes, count))
        {
            await FlushRunAsync(run, sorted, cancellationToken);
            run.MakeRoom(bytes, count);
        }

        run.Pack(hashed, count, digests, invalid);
    }

    internal static async Task FlushRunAsync(RunBuffer run, SortedMembers sorted, CancellationToken cancellationToken)
    {
        if (run.Count == 0)
        {
            return;
        }

        run.Sort();
        var path = Path.Combine(sorted.Folder, $"run-{sorted.Runs.Count:D5}");
        await using (var file = MirrorFiles.CreateWork(path))
        {
            var writer = new RecordWriter(file);
            writer.Start(MirrorFiles.Work.Span);
            sorted.DuplicatesInRuns += await run.WriteDistinctAsync(writer, cancellationToken);
            await writer.FlushAsync(cancellationToken);
        }

        sorted.Runs.Add(path);
        run.Clear();
    }
}
