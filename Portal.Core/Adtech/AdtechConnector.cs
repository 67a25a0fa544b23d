using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

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

    /// <summary>The client its requests go through (for the mirror targets a connector binds to an audience).</summary>
    protected AdtechHttp Http => http;

    /// <summary>How this adtech wants identifiers normalized, for the audience's <paramref name="country"/>.</summary>
    public virtual NormalizationOptions Normalization(Country country) => new(country);

    /// <summary>False where the API creates the audience empty and takes members only on later calls (Meta, Google).</summary>
    protected internal virtual bool CreateCarriesMembers => true;

    protected internal abstract string CreatePath(AdtechConnection connection);

    /// <summary>Where a batch goes: <paramref name="target"/> is the audience's id, or for a job-style API the job's.</summary>
    protected internal abstract string AddPath(AdtechConnection connection, string target);

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

    /// <summary>
    /// Writes the request body for one batch at <paramref name="position"/> in its upload; by default as
    /// <see cref="WritePayload(Utf8JsonWriter, AudienceState, IReadOnlyList{HashedMember}, bool)"/> (APIs with upload sessions quote the position).
    /// </summary>
    public virtual void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create, BatchPosition position) =>
        WritePayload(writer, state, batch, create);

    /// <summary>The audience's id in the create call's answer.</summary>
    protected internal virtual string? ReadId(JsonNode? body) => body?["id"]?.ToString();

    /// <summary>Headers besides the bearer token.</summary>
    protected internal virtual IReadOnlyList<KeyValuePair<string, string>> Headers(AdtechConnection connection) => [];

    /// <summary>How many members of an accepted batch the adtech reports as failed (partial failure); 0 by default.</summary>
    protected internal virtual long FailedIn(JsonNode? body) => 0;

    /// <summary>
    /// Job-style APIs: the request that opens a job for the audience <paramref name="id"/> (quoting the export's first run,
    /// <paramref name="runId"/>, when there is one); null when batches go to the audience itself.
    /// </summary>
    protected internal virtual AdtechRequest? OpenJob(AdtechConnection connection, string id, long? runId) => null;

    /// <summary>Job-style APIs: the job's name in the answer to <see cref="OpenJob"/>.</summary>
    protected internal virtual string? ReadJob(JsonNode? body) => null;

    /// <summary>Job-style APIs: the request that runs the job after the last batch.</summary>
    protected internal virtual AdtechRequest? RunJob(AdtechConnection connection, string job) => null;

    /// <summary>
    /// Job-style APIs: waits for the job that was run to end, and answers how it ended (a failure with the adtech's
    /// reason, or a success); null where there is nothing to wait for.
    /// </summary>
    protected internal virtual Task<AdtechResponse?> AwaitJobAsync(AdtechConnection connection, string job, CancellationToken cancellationToken) =>
        Task.FromResult<AdtechResponse?>(null);

    /// <summary>
    /// The request that looks an audience up by its <paramref name="name"/> (a GET when it has no payload), to settle a
    /// create whose outcome is unknown; null where the API has none (then the create is not sent again).
    /// </summary>
    protected internal virtual AdtechRequest? FindByName(AdtechConnection connection, string name) => null;

    /// <summary>The id of the audience named <paramref name="name"/> in the lookup's answer, or null when there is none.</summary>
    protected internal virtual string? ReadFound(JsonNode? body, string name) => null;

    /// <summary>The id of the first element of <paramref name="list"/> whose <paramref name="nameField"/> is <paramref name="name"/>.</summary>
    protected static string? FindIn(JsonNode? list, string name, string nameField = "name", string idField = "id") =>
        (list as JsonArray)?.FirstOrDefault(e => e?[nameField]?.ToString() == name)?[idField]?.ToString();

    /// <summary>
    /// Reads an adtech's report with one request (<paramref name="request"/>: a GET, or a POST of its payload, such as a
    /// search) and makes it a <see cref="Matching.MatchReport"/> with <paramref name="read"/>; a refused request is a failed report.
    /// </summary>
    protected async Task<Matching.MatchReport> ReadReportAsync(AdtechConnection connection, AdtechRequest request, Func<JsonNode?, Matching.MatchReport> read,
        CancellationToken cancellationToken)
    {
        var response = request.Payload is null
            ? await http.GetOnceAsync(connection, request.Path, Headers(connection), cancellationToken)
            : await http.PostAsync(connection, request.Path, request.Payload, Headers(connection), null, cancellationToken, IsThrottled);
        return response.IsSuccess ? read(response.Body)
            : Matching.MatchReport.Failed(string.IsNullOrEmpty(response.Message) ? $"HTTP {response.Status}" : $"HTTP {response.Status}: {response.Message}");
    }

    /// <summary>The request body as bytes (also what the payload tests compare).</summary>
    public byte[] Payload(AudienceState state, IReadOnlyList<HashedMember> batch, bool create) => Json(writer => WritePayload(writer, state, batch, create));

    /// <summary>The request body of a batch at <paramref name="position"/> in its upload, as bytes.</summary>
    public byte[] Payload(AudienceState state, IReadOnlyList<HashedMember> batch, bool create, BatchPosition position) =>
        Json(writer => WritePayload(writer, state, batch, create, position));

    /// <summary>
    /// Whether a refused request (a 4xx other than 429) is the adtech's throttling and worth retrying after a backoff
    /// (Meta's rate-limit codes arrive as 400 or 403); false by default.
    /// </summary>
    protected internal virtual bool IsThrottled(int status, JsonNode? body) => false;

    /// <summary>
    /// Waits until the adtech's request quota lets one more request go (Google's Data Manager API takes a number of
    /// requests a minute); at once by default. Called before every request of an upload.
    /// </summary>
    protected internal virtual ValueTask PaceAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Whether this connector serves <paramref name="connection"/>: where one adtech key has connectors for two APIs
    /// (Google: the Data Manager API, or the Google Ads API for allowlisted accounts), the connection says which.
    /// </summary>
    public virtual bool Serves(AdtechConnection connection) => true;

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
    public Task<UploadOutcome> UploadAsync(AudienceState state, AdtechConnection connection, IAsyncEnumerable<Member> members,
        UploadStart? start = null, Func<UploadCheckpoint, CancellationToken, Task>? checkpoint = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default) =>
        new UploadSession(this, http, state, connection, start ?? UploadStart.Fresh(), checkpoint, progress, cancellationToken).RunAsync(members);

    internal UploadOutcome Outcome(string? id, AdtechResponse response, long sent, long failed, HashStats stats, Stopwatch watch)
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
}
