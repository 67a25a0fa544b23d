using System.Diagnostics;
using System.Globalization;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// What one upload did: the adtech's id, the response to record, and the counts. <see cref="Failed"/> is how many
/// sent members the adtech reported as failed in otherwise accepted requests (partial failure).
/// </summary>
public sealed record UploadOutcome(string? Id, LastResponse Response, long Sent, long Failed, long InvalidValues, long EmptyMembers, TimeSpan Duration)
{
    public bool Succeeded => Id is not null && Response.Status is >= 200 and < 300;
}

/// <summary>One request a connector makes besides its create and add calls (a job-style API's job creation and run).</summary>
public sealed record AdtechRequest(string Path, byte[] Payload);

/// <summary>
/// Where an upload starts. <paramref name="ExportKey"/> is the base of every request's idempotency key
/// (<c>{key}:create</c>, <c>{key}:job</c>, <c>{key}:batch:{n}</c>, <c>{key}:run</c>), the same for every run of one export,
/// so a request repeated by a retry or by a resumed run is applied once. A resumed upload also has what earlier runs got:
/// the audience's id, a job-style API's job, and how many batches of <paramref name="BatchSize"/> members were committed
/// (members come in a stable order, so those are skipped). <paramref name="RunId"/> is the export's first run, which
/// job-style APIs quote in the job (Google's <c>externalId</c>).
/// </summary>
public sealed record UploadStart(string ExportKey, long? RunId = null, string? AudienceId = null, string? Job = null, int CommittedBatches = 0, int? BatchSize = null)
{
    public static UploadStart Fresh() => new(Guid.NewGuid().ToString("N"));
}

/// <summary>What an upload has done so far, reported after each step that the adtech accepted (the run record saves it).</summary>
public sealed record UploadCheckpoint(string? AudienceId, string? Job, int CommittedBatches, long Sent, long Failed);

/// <summary>
/// The connector SDK: normalizes and hashes members as the adtech asks, sends them in batches (the first batch
/// creates the audience and returns its id, later batches add to it), and reports a <c>last_response</c>.
/// A concrete connector gives its key, batch size, normalization, paths and payload shape; a job-style one (Google
/// Customer Match) also opens a job once the audience exists, adds the batches to the job and runs it at the end.
/// </summary>
public abstract class AdtechConnector(AdtechHttp http, TimeProvider clock)
{
    public abstract string Key { get; }

    public abstract string DisplayName { get; }

    /// <summary>Members per request: at most this many are hashed and sent at once.</summary>
    public abstract int BatchSize { get; }

    /// <summary>How this adtech wants identifiers normalized, for the audience's <paramref name="country"/>.</summary>
    public virtual NormalizationOptions Normalization(Country country) => new(country);

    /// <summary>False where the API creates the audience empty and takes members only on later calls (Meta, Google).</summary>
    protected virtual bool CreateCarriesMembers => true;

    protected abstract string CreatePath(AdtechConnection connection);

    /// <summary>Where a batch goes: <paramref name="target"/> is the audience's id, or for a job-style API the job's.</summary>
    protected abstract string AddPath(AdtechConnection connection, string target);

    /// <summary>A read-only GET that proves the connection works (reachable, credentials and account accepted).</summary>
    protected abstract string CheckPath(AdtechConnection connection);

    /// <summary>Checks the connection with one read-only request (no retries): status, the adtech's message, latency.</summary>
    public async Task<ConnectionCheck> CheckAsync(AdtechConnection connection, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        var response = await http.GetOnceAsync(connection, CheckPath(connection), Headers(connection), cancellationToken);
        var message = response.IsSuccess ? "Connected" : string.IsNullOrEmpty(response.Message) ? $"HTTP {response.Status}" : response.Message;
        return new ConnectionCheck(Key, true, response.IsSuccess, response.Status, message, clock.GetElapsedTime(started), clock.GetUtcNow());
    }

    /// <summary>Writes the request body for one batch; <paramref name="create"/> for the first, which carries the audience's settings.</summary>
    public abstract void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create);

    /// <summary>The audience's id in the create call's answer.</summary>
    protected virtual string? ReadId(JsonNode? body) => body?["id"]?.ToString();

    /// <summary>Headers besides the bearer token.</summary>
    protected virtual IReadOnlyList<KeyValuePair<string, string>> Headers(AdtechConnection connection) => [];

    /// <summary>How many members of an accepted batch the adtech reports as failed (partial failure); 0 by default.</summary>
    protected virtual long FailedIn(JsonNode? body) => 0;

    /// <summary>
    /// Job-style APIs: the request that opens a job for the audience <paramref name="id"/> (quoting the export's first run,
    /// <paramref name="runId"/>, when there is one); null when batches go to the audience itself.
    /// </summary>
    protected virtual AdtechRequest? OpenJob(AdtechConnection connection, string id, long? runId) => null;

    /// <summary>Job-style APIs: the job's name in the answer to <see cref="OpenJob"/>.</summary>
    protected virtual string? ReadJob(JsonNode? body) => null;

    /// <summary>Job-style APIs: the request that runs the job after the last batch.</summary>
    protected virtual AdtechRequest? RunJob(AdtechConnection connection, string job) => null;

    /// <summary>The request body as bytes (also what the payload tests compare).</summary>
    public byte[] Payload(AudienceState state, IReadOnlyList<HashedMember> batch, bool create) => Json(writer => WritePayload(writer, state, batch, create));

    /// <summary>Serializes what <paramref name="write"/> writes.</summary>
    protected static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Uploads the members: creates the audience (and opens the job) unless <paramref name="start"/> already has them,
    /// skips the batches it says were committed, sends the rest, and runs the job. <paramref name="checkpoint"/> hears of
    /// every step the adtech accepted, before the next one is sent.
    /// </summary>
    /// <remarks>
    /// A pipeline of three stages joined by channels of one batch each, so memory follows the batch size: reading the
    /// members into batches, hashing a batch on every core and writing its request body, and sending the bodies one at a
    /// time in order (batch n is hashed while batch n - 1 is posted, and batches are committed in order, as resuming needs).
    /// </remarks>
    public async Task<UploadOutcome> UploadAsync(AudienceState state, AdtechConnection connection, IAsyncEnumerable<Member> members,
        UploadStart? start = null, Func<UploadCheckpoint, CancellationToken, Task>? checkpoint = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        start ??= UploadStart.Fresh();
        var normalization = Normalization(state.RequireCountry()); // before anything is created at the adtech
        var watch = Stopwatch.StartNew();
        var batchSize = start.BatchSize ?? BatchSize;
        var stats = new HashStats();
        var headers = Headers(connection);
        var id = start.AudienceId;
        var job = start.Job;
        var committed = start.CommittedBatches;
        long sent = 0;
        long failed = 0;
        AdtechResponse? last = null;

        async Task<bool> PostAsync(string path, ReadOnlyMemory<byte> payload, string step)
        {
            last = await http.PostAsync(connection, path, payload, headers, $"{start.ExportKey}:{step}", cancellationToken);
            return last.IsSuccess;
        }

        bool Missing(string? value, string what)
        {
            if (!string.IsNullOrEmpty(value))
            {
                return false;
            }

            last = last! with { Status = 502, Message = $"The adtech accepted the {what} but returned no id" };
            return true;
        }

        Task CheckpointAsync() => checkpoint?.Invoke(new UploadCheckpoint(id, job, committed, sent, failed), cancellationToken) ?? Task.CompletedTask;

        // Creates the audience (with the first batch's body where the create carries members; else an empty create) and
        // opens the job, where missing.
        async Task<bool> EnsureCreatedAsync(ReadOnlyMemory<byte>? create)
        {
            if (id is null && (!await PostAsync(CreatePath(connection), create ?? Payload(state, [], create: true), "create") || Missing(id = ReadId(last!.Body), "audience")))
            {
                return false;
            }

            return job is not null || OpenJob(connection, id!, start.RunId) is not { } open
                || (await PostAsync(open.Path, open.Payload, "job") && !Missing(job = ReadJob(last!.Body), "job"));
        }

        // Sends one batch of members (none: nothing is posted unless the audience is still to be made) and commits it.
        async Task<bool> SendAsync(ReadOnlyMemory<byte> payload, int count)
        {
            if (count > 0 || id is null)
            {
                var ok = id is null
                    ? await EnsureCreatedAsync(payload)
                    : await PostAsync(AddPath(connection, job ?? id), payload, $"batch:{committed}");
                if (!ok)
                {
                    return false;
                }

                failed += FailedIn(last!.Body);
                sent += count;
                progress?.Report(sent);
            }

            committed++;
            await CheckpointAsync();
            return true;
        }

        UploadOutcome Failure() => Outcome(null, last!, sent, failed, stats, watch);

        // Where the create carries no members, the audience and the job are made first (or were, by the run resumed).
        // Where it does, the first batch makes the audience: its id is saved only with that batch committed.
        if (!CreateCarriesMembers || id is not null)
        {
            var ready = await EnsureCreatedAsync(null);
            if (id != start.AudienceId || job != start.Job)
            {
                await CheckpointAsync(); // also when the job could not be opened: the audience exists and must not be made again
            }

            if (!ready)
            {
                return Failure();
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var read = Channel.CreateBounded<MemberBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var prepared = Channel.CreateBounded<PreparedBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var batches = new Reused<MemberBatch>(() => new MemberBatch(batchSize), b => b.Clear());
        // Room for a batch of members with three hashes each, so that the buffers seldom grow.
        var buffers = new Reused<ArrayBufferWriter<byte>>(() => new ArrayBufferWriter<byte>(batchSize * 256), b => b.ResetWrittenCount());
        var skip = (long)start.CommittedBatches * batchSize;
        var createFirst = id is null;
        var reading = Task.Run(() => Stage(read.Writer, () => ReadBatchesAsync(members, skip, batchSize, batches, read.Writer, stop.Token)));
        var preparing = Task.Run(() => Stage(prepared.Writer, () => PrepareBatchesAsync(state, normalization, read.Reader, batches, prepared.Writer, createFirst, buffers, stop.Token)));
        try
        {
            await foreach (var batch in prepared.Reader.ReadAllAsync(cancellationToken))
            {
                stats.Add(batch.Stats);
                var ok = await SendAsync(batch.Payload?.WrittenMemory ?? default, batch.Members);
                buffers.Return(batch.Payload);
                if (!ok)
                {
                    return Failure();
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(reading, preparing); // they never fault: what went wrong reached the loop above through the channels
        }

        if (id is null && !await SendAsync(Payload(state, [], create: true), 0))
        {
            return Failure();
        }

        if (job is not null && RunJob(connection, job) is { } run && !await PostAsync(run.Path, run.Payload, "run"))
        {
            return Failure();
        }

        last ??= new AdtechResponse(200, null, "Nothing left to send", 0);
        return Outcome(id, last, sent, failed, stats, watch);
    }

    /// <summary>A batch ready to send: its request body (none when no member is left and no create is due), its member count and what hashing counted.</summary>
    private sealed record PreparedBatch(ArrayBufferWriter<byte>? Payload, int Members, HashStats Stats);

    /// <summary>Runs a pipeline stage; whatever ends it (also an exception) completes its output, so the next stage sees it.</summary>
    private static async Task Stage<T>(ChannelWriter<T> output, Func<Task> run)
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

    /// <summary>The members after the <paramref name="skip"/> already committed, packed in batches.</summary>
    private static async Task ReadBatchesAsync(IAsyncEnumerable<Member> members, long skip, int batchSize, Reused<MemberBatch> batches,
        ChannelWriter<MemberBatch> output, CancellationToken cancellationToken)
    {
        var batch = await batches.RentAsync(cancellationToken);
        await foreach (var member in members.WithCancellation(cancellationToken))
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }

            batch.Add(member);
            if (batch.Count == batchSize)
            {
                await output.WriteAsync(batch, cancellationToken);
                batch = await batches.RentAsync(cancellationToken);
            }
        }

        if (batch.Count > 0)
        {
            await output.WriteAsync(batch, cancellationToken);
        }
    }

    /// <summary>Hashes each batch on every core and writes its request body (the first one a create when <paramref name="create"/>).</summary>
    private async Task PrepareBatchesAsync(AudienceState state, NormalizationOptions normalization, ChannelReader<MemberBatch> input, Reused<MemberBatch> batches, ChannelWriter<PreparedBatch> output,
        bool create, Reused<ArrayBufferWriter<byte>> buffers, CancellationToken cancellationToken)
    {
        HashedMember[] hashed = [];
        await foreach (var raw in input.ReadAllAsync(cancellationToken))
        {
            // Hash on every core, counting per thread (HashStats is not shared between threads); keep the order, and
            // keep the members left with a value at the front of the array (reused from batch to batch).
            if (hashed.Length < raw.Count)
            {
                hashed = new HashedMember[raw.Count];
            }

            var stats = new HashStats();
            Parallel.For(0, raw.Count, () => new HashStats(), (i, _, local) =>
            {
                hashed[i] = local.Hash(raw, i, normalization);
                return local;
            }, stats.Add);
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
                WritePayload(writer, state, new ArraySegment<HashedMember>(hashed, 0, count), create);
            }

            Array.Clear(hashed, 0, count);
            await output.WriteAsync(new PreparedBatch(payload, count, stats), cancellationToken);
            create = false;
        }
    }

    /// <summary>
    /// Objects that the upload's stages hand on and get back, made up to three at a time (one in each of reading or
    /// writing, waiting, and hashing or sending) and reused, so their arrays are allocated once per upload.
    /// </summary>
    private sealed class Reused<T>(Func<T> create, Action<T> reset)
        where T : class
    {
        private const int Most = 3;
        private readonly Channel<T> _free = Channel.CreateUnbounded<T>();
        private int _made;

        public async ValueTask<T> RentAsync(CancellationToken cancellationToken)
        {
            if (!_free.Reader.TryRead(out var item))
            {
                item = Interlocked.Increment(ref _made) <= Most ? create() : await _free.Reader.ReadAsync(cancellationToken);
            }

            reset(item);
            return item;
        }

        public void Return(T? item)
        {
            if (item is not null)
            {
                _free.Writer.TryWrite(item);
            }
        }
    }

    private UploadOutcome Outcome(string? id, AdtechResponse response, long sent, long failed, HashStats stats, Stopwatch watch)
    {
        var date = clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var rejected = failed > 0 ? $", {failed:N0} rejected by the adtech" : "";
        var message = response.IsSuccess && id is not null
            ? $"Success: {sent:N0} members sent{rejected}, {stats.Invalid:N0} invalid values dropped."
            : $"Failed: {response.Message} ({sent:N0} members sent before the failure).";
        return new UploadOutcome(id, new LastResponse(date, response.Status, message), sent, failed, stats.Invalid, stats.EmptyMembers, watch.Elapsed);
    }

    protected static void WriteStrings(Utf8JsonWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteStartArray();
        for (var i = 0; i < values.Count; i++)
        {
            WriteValue(writer, values, i);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes one value as a JSON string; hashes straight from their bytes.</summary>
    protected static void WriteValue(Utf8JsonWriter writer, IReadOnlyList<string> values, int index)
    {
        if (values is HashList hashes)
        {
            hashes.WriteHex(writer, index);
        }
        else
        {
            writer.WriteStringValue(values[index]);
        }
    }

    /// <summary>Writes a list's first value, or "" when it has none.</summary>
    protected static void WriteFirst(Utf8JsonWriter writer, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            WriteValue(writer, values, 0);
        }
        else
        {
            writer.WriteStringValue("");
        }
    }
}

/// <summary>AdtechA, as the seed describes it: an <c>audience_type</c> from its enum, bearer token, advertiser id in the URL.</summary>
public sealed class AdtechAConnector(AdtechHttp http, TimeProvider clock) : AdtechConnector(http, clock)
{
    public override string Key => AdtechKeys.AdtechA;
    public override string DisplayName => "AdtechA";
    public override int BatchSize => 5_000;

    protected override string CreatePath(AdtechConnection c) => $"adtech-a/v2/audiences?advertiserId={Uri.EscapeDataString(c.AccountId ?? "")}";

    protected override string CheckPath(AdtechConnection c) => $"adtech-a/v2/advertisers/{Uri.EscapeDataString(c.AccountId ?? "")}";

    protected override string AddPath(AdtechConnection c, string id) =>
        $"adtech-a/v2/audiences/{Uri.EscapeDataString(id)}/members?advertiserId={Uri.EscapeDataString(c.AccountId ?? "")}";

    public override void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create)
    {
        writer.WriteStartObject();
        if (create)
        {
            writer.WriteString("name", state.AdtechName(Key));
            writer.WriteString("description", state.Description);
            writer.WriteString("audience_type", state.AdtechSetting(Key, "audience_type")?.ToUpperInvariant());
        }

        writer.WriteStartArray("members");
        foreach (var m in batch)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("email");
            WriteStrings(writer, m.Emails);
            writer.WritePropertyName("phone_number");
            WriteStrings(writer, m.Phones);
            writer.WritePropertyName("zip_code");
            WriteStrings(writer, m.Zips);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

/// <summary>
/// AdtechB, as the seed describes it: <c>expiration</c> in days, members as a <c>schema</c> of columns and <c>data</c>
/// rows, and empty keys dropped from the payload (the seed's <c>_drop_empty_keys</c>, including its dropping of 0).
/// </summary>
public sealed class AdtechBConnector(AdtechHttp http, TimeProvider clock) : AdtechConnector(http, clock)
{
    public static readonly string[] Schema = ["EMAIL", "PHONE", "ZIP"];

    public override string Key => AdtechKeys.AdtechB;
    public override string DisplayName => "AdtechB";
    public override int BatchSize => 10_000;

    protected override string CreatePath(AdtechConnection c) => "adtech-b/audiences";

    protected override string CheckPath(AdtechConnection c) => "adtech-b/me";

    protected override string AddPath(AdtechConnection c, string id) => $"adtech-b/audiences/{Uri.EscapeDataString(id)}/data";

    /// <summary>
    /// The seed's payload after its <c>_drop_empty_keys</c>: empty text, 0 and empty lists are left out (so an
    /// <c>expiration_time</c> of 0 is not sent, as in the seed); the data rows themselves are never empty.
    /// </summary>
    public override void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create)
    {
        writer.WriteStartObject();
        if (create)
        {
            if (state.AdtechName(Key) is { Length: > 0 } name)
            {
                writer.WriteString("name", name);
            }

            if (state.Description is { Length: > 0 } description)
            {
                writer.WriteString("description", description);
            }

            var expiration = int.TryParse(state.AdtechSetting(Key, "expiration_time"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var days) ? days : 1000;
            if (expiration != 0)
            {
                writer.WriteNumber("expiration", expiration);
            }
        }

        writer.WritePropertyName("schema");
        WriteStrings(writer, Schema);
        if (batch.Count > 0)
        {
            writer.WriteStartArray("data");
            foreach (var m in batch)
            {
                writer.WriteStartArray();
                WriteStrings(writer, m.Emails);
                WriteStrings(writer, m.Phones);
                WriteStrings(writer, m.Zips);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}

/// <summary>
/// Meta Custom Audiences, shaped on the Marketing API: the audience is created empty on the ad account, then users are
/// added as <c>payload.schema</c> + <c>payload.data</c> rows, at most 10,000 per request. One value per key and row
/// (a member's first), phones hashed as digits with country code and no "+", and the audience's country as the
/// multi-key <c>COUNTRY</c> (lower-case ISO alpha-2, hashed like every other key).
/// </summary>
public sealed class MetaConnector(AdtechHttp http, TimeProvider clock) : AdtechConnector(http, clock)
{
    public const int MaxRecordsPerRequest = 10_000;
    public static readonly string[] Schema = ["EMAIL", "PHONE", "ZIP", "COUNTRY"];

    public override string Key => AdtechKeys.Meta;
    public override string DisplayName => "Meta Custom Audiences";
    public override int BatchSize => MaxRecordsPerRequest;
    public override NormalizationOptions Normalization(Country country) => new(country, Phone: PhoneFormat.DigitsOnly);
    protected override bool CreateCarriesMembers => false;

    /// <summary>The ad account's path, <c>meta/act_&lt;id&gt;</c>, whether the connection names it with "act_" or not.</summary>
    private static string AdAccount(AdtechConnection c) => $"meta/act_{Uri.EscapeDataString((c.AccountId ?? "").Replace("act_", "", StringComparison.Ordinal))}";

    protected override string CreatePath(AdtechConnection c) => $"{AdAccount(c)}/customaudiences";

    protected override string CheckPath(AdtechConnection c) => $"{AdAccount(c)}?fields=name,account_status";

    protected override string AddPath(AdtechConnection c, string id) => $"meta/{Uri.EscapeDataString(id)}/users";

    /// <summary>Meta answers an add with <c>num_received</c> and <c>num_invalid_entries</c>.</summary>
    protected override long FailedIn(JsonNode? body) => body?["num_invalid_entries"]?.GetValue<long>() ?? 0;

    public override void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create)
    {
        writer.WriteStartObject();
        if (create)
        {
            writer.WriteString("name", state.AdtechName(Key));
            writer.WriteString("description", state.Description);
            writer.WriteString("subtype", "CUSTOM");
            writer.WriteString("customer_file_source", state.AdtechSetting(Key, "customer_file_source") ?? "USER_PROVIDED_ONLY");
        }
        else
        {
            var country = MemberNormalizer.Sha256Hex(state.RequireCountry().Lower);
            writer.WriteStartObject("payload");
            writer.WritePropertyName("schema");
            WriteStrings(writer, Schema);
            writer.WriteStartArray("data");
            foreach (var m in batch)
            {
                writer.WriteStartArray();
                WriteFirst(writer, m.Emails);
                WriteFirst(writer, m.Phones);
                WriteFirst(writer, m.Zips);
                writer.WriteStringValue(country);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
