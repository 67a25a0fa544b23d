using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// The first two stages of an upload, joined to the sending stage by channels of one batch each, so memory follows the
/// batch size: reading the members into batches, and hashing a batch on every core and writing its request body.
/// </summary>
internal static class UploadPipeline
{
    /// <summary>Runs a pipeline stage; whatever ends it (also an exception) completes its output, so the next stage sees it.</summary>
    public static async Task Stage<T>(ChannelWriter<T> output, Func<Task> run)
    {
        Exception? error = null;
        try
        {
            await run();
        }
        catch (Exception ex)
        {
            error = ex;
        }

        output.TryComplete(error);
    }

    /// <summary>
    /// The members after the <paramref name="skip"/> already committed, packed in batches; a full batch is held until the
    /// next member shows whether it is the last.
    /// </summary>
    public static async Task ReadBatchesAsync(IAsyncEnumerable<Member> members, long skip, int batchSize, Reused<MemberBatch> batches,
        ChannelWriter<ReadBatch> output, CancellationToken cancellationToken)
    {
        var batch = await batches.RentAsync(cancellationToken);
        if (skip > 0 || members is not MemberFileMembers file)
        {
            await ReadMembersAsync(members, skip, batchSize, batches, output, batch, cancellationToken);
            return;
        }

        // A member file is read straight into the batches, without an object per member.
        MemberBatch? full = null;
        batch = await file.ReadBatchesAsync(batch, batchSize, async (filled, ct) =>
        {
            if (full is not null)
            {
                await output.WriteAsync(new ReadBatch(full, Last: false), ct);
            }

            full = filled;
            return await batches.RentAsync(ct);
        }, cancellationToken);

        await WriteLastAsync(output, full, batch, cancellationToken);
    }

    private static async Task ReadMembersAsync(IAsyncEnumerable<Member> members, long skip, int batchSize, Reused<MemberBatch> batches,
        ChannelWriter<ReadBatch> output, MemberBatch batch, CancellationToken cancellationToken)
    {
        MemberBatch? full = null;
        await foreach (var member in members.WithCancellation(cancellationToken))
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }

            if (full is not null)
            {
                await output.WriteAsync(new ReadBatch(full, Last: false), cancellationToken);
                full = null;
            }

            batch.Add(member);
            if (batch.Count == batchSize)
            {
                full = batch;
                batch = await batches.RentAsync(cancellationToken);
            }
        }

        await WriteLastAsync(output, full, batch, cancellationToken);
    }

    /// <summary>Hands on the batches left when the members ran out: the full one held, then the partly filled one (the last of them marked).</summary>
    private static async Task WriteLastAsync(ChannelWriter<ReadBatch> output, MemberBatch? full, MemberBatch batch, CancellationToken cancellationToken)
    {
        if (full is not null)
        {
            await output.WriteAsync(new ReadBatch(full, Last: batch.Count == 0), cancellationToken);
        }

        if (batch.Count > 0)
        {
            await output.WriteAsync(new ReadBatch(batch, Last: true), cancellationToken);
        }
    }

    /// <summary>Hashes each batch on every core and writes its request body (the first one a create when <paramref name="create"/>).</summary>
    /// <remarks>
    /// <paramref name="position"/> is the first batch's place in the upload; the later ones follow it. With
    /// <paramref name="seed"/>, each batch's members are also packed, with their raw digests, into its partitions.
    /// </remarks>
    public static async Task PrepareBatchesAsync(AdtechConnector connector, AudienceState state, NormalizationOptions normalization, ChannelReader<ReadBatch> input,
        Reused<MemberBatch> batches, ChannelWriter<PreparedBatch> output, bool create, BatchPosition position, Reused<ArrayBufferWriter<byte>> buffers,
        ExportSeed? seed, CancellationToken cancellationToken)
    {
        HashedMember[] hashed = [];
        await foreach (var (raw, last) in input.ReadAllAsync(cancellationToken))
        {
            position = position with { Last = last };
            // Hash on every core, counting per thread (HashStats is not shared between threads); keep the order, and
            // keep the members left with a value at the front of the array (reused from batch to batch).
            if (hashed.Length < raw.Count)
            {
                hashed = new HashedMember[raw.Count];
            }

            var stats = new HashStats();
            seed?.Reserve(raw.Count);
            Parallel.For(0, raw.Count, () => new HashStats(), (i, _, local) =>
            {
                hashed[i] = seed is null ? local.Hash(raw, i, normalization) : seed.Hash(local, raw, i, normalization);
                return local;
            }, stats.Add);
            seed?.Add(raw.Count);

            var kept = 0;
            for (var i = 0; i < raw.Count; i++)
            {
                if (!hashed[i].IsEmpty)
                {
                    hashed[kept++] = hashed[i];
                }
            }

            Array.Clear(hashed, kept, raw.Count - kept);
            batches.Return(raw);
            ArrayBufferWriter<byte>? payload = null;
            if (kept > 0 || create)
            {
                payload = await buffers.RentAsync(cancellationToken);
                using var writer = new Utf8JsonWriter(payload);
                connector.WritePayload(writer, state, new ArraySegment<HashedMember>(hashed, 0, kept), create, position);
            }

            Array.Clear(hashed, 0, kept);
            await output.WriteAsync(new PreparedBatch(payload, kept, stats), cancellationToken);
            create = false;
            position = position with { Sequence = position.Sequence + 1 };
        }

        if (seed is not null)
        {
            await seed.FinishAsync();
        }
    }
}
