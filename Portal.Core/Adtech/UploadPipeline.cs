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
        MemberBatch? full = null;
        var batch = await batches.RentAsync(cancellationToken);
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

        if (full is not null)
        {
            await output.WriteAsync(new ReadBatch(full, Last: true), cancellationToken);
        }
        else if (batch.Count > 0)
        {
            await output.WriteAsync(new ReadBatch(batch, Last: true), cancellationToken);
        }
    }

    /// <summary>Hashes each batch on every core and writes its request body (the first one a create when <paramref name="create"/>).</summary>
    /// <remarks>
    /// <paramref name="position"/> is the first batch's place in the upload; the later ones follow it. With
    /// <paramref name="seed"/>, each batch's members are also packed, with their raw digests, into its sorted runs.
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
            if (seed is not null)
            {
                await seed.AddAsync(raw.Count, cancellationToken);
            }

            var count = 0;
            for (var i = 0; i < raw.Count; i++)
            {
                if (!hashed[i].IsEmpty)
                {
                    hashed[count++] = hashed[i];
                }
            }

            Array.Clear(hashed, count, raw.Count - count);
            batches.Return(raw);
            ArrayBufferWriter<byte>? payload = null;
            if (count > 0 || create)
            {
                payload = await buffers.RentAsync(cancellationToken);
                using var writer = new Utf8JsonWriter(payload);
                connector.WritePayload(writer, state, new ArraySegment<HashedMember>(hashed, 0, count), create, position);
            }

            Array.Clear(hashed, 0, count);
            await output.WriteAsync(new PreparedBatch(payload, count, stats), cancellationToken);
            create = false;
            position = position with { Sequence = position.Sequence + 1 };
        }

        if (seed is not null)
        {
            await seed.FinishAsync(cancellationToken);
        }
    }
}
