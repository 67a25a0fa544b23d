using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Adtech.Matching;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// Meta Custom Audiences, shaped on the Marketing API (Graph host <c>https://graph.facebook.com/</c> as the connection's
/// base URL, the version from <see cref="MetaOptions"/>): the audience is created empty on the ad account, then users
/// are added as <c>payload.schema</c> + <c>payload.data</c> rows, at most 10,000 rows per request, each request in
/// the upload's <c>session</c> (<c>session_id</c>, <c>batch_seq</c> from 1, <c>last_batch_flag</c>, and
/// <c>estimated_num_total</c> when known). Every email and phone of a member is sent: the member's n-th email and n-th
/// phone share a row (rows with one missing carry <c>""</c>), up to <see cref="MaxRowsPerMember"/> rows a member. Phones are
/// hashed as digits with country code and no "+", and the audience's country goes as the multi-key <c>COUNTRY</c>
/// (lower-case ISO alpha-2, hashed like every other key). Throttling (rate-limit codes in a 400 or 403 answer's
/// <c>error.code</c>, or <c>error.is_transient</c>) is retried with backoff.
/// </summary>
public sealed class MetaConnector(AdtechHttp http, TimeProvider clock, MetaOptions? options = null) : AdtechConnector(http, clock), IMirrorConnector, IMatchReporter
{
    /// <summary>Adds with <c>POST /{audience_id}/users</c>, removes with a DELETE of the same rows (<see cref="MetaMirrorTarget"/>).</summary>
    public IMirrorTarget MirrorTarget(AdtechConnection connection, AudienceState state, string audienceId) =>
        new MetaMirrorTarget(this, Http, connection, state, audienceId);

    /// <summary>The fields of a custom audience that say how many people it matched (a range, for privacy).</summary>
    public const string CountFields = "approximate_count_lower_bound,approximate_count_upper_bound";

    /// <summary>
    /// <c>GET vNN.0/{audience_id}?fields=approximate_count_lower_bound,approximate_count_upper_bound</c>: the people the
    /// audience matched, as Meta's range. Meta updates them some time after an upload, so a run records what they were then.
    /// </summary>
    public Task<MatchReport> ReportAsync(AdtechConnection c, string audienceId, CancellationToken cancellationToken) =>
        ReadReportAsync(c, new($"{_version}/{Uri.EscapeDataString(audienceId)}?fields={CountFields}"), body =>
            MatchReport.Count(body?["approximate_count_lower_bound"]) is { } low
                ? new MatchReport(true, "Reported", null, low, MatchReport.Count(body?["approximate_count_upper_bound"]) ?? low)
                : MatchReport.Failed("the audience has no approximate_count_lower_bound yet"), cancellationToken);

    /// <summary>Meta's limit of rows (data entries) in one request.</summary>
    public const int MaxRecordsPerRequest = 10_000;

    /// <summary>Rows one member may take: a member's emails and phones beyond this many pairs are not sent.</summary>
    public const int MaxRowsPerMember = 5;

    public static readonly string[] Schema = ["EMAIL", "PHONE", "ZIP", "COUNTRY"];

    /// <summary>
    /// Graph error codes that mean "slow down": API too many calls (4), user request limit (17), page request limit (32),
    /// call rate limit (613), and the ad account's rate limits (80000 to 80009, 80014).
    /// </summary>
    public static readonly IReadOnlySet<int> ThrottlingCodes = new HashSet<int> { 4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014 };

    private readonly string _version = (options ?? new MetaOptions()).ApiVersion;

    public override string Key => AdtechKeys.Meta;
    public override string DisplayName => "Meta Custom Audiences";

    /// <summary>Members per request, so that even at <see cref="MaxRowsPerMember"/> rows each a request stays within Meta's rows.</summary>
    public override int BatchSize => MaxRecordsPerRequest / MaxRowsPerMember;

    public override NormalizationOptions Normalization(Country country) => new(country, Phone: PhoneFormat.DigitsOnly);
    protected internal override bool CreateCarriesMembers => false;

    /// <summary>The ad account's path, <c>vNN.0/act_&lt;id&gt;</c>, whether the connection names it with "act_" or not.</summary>
    private string AdAccount(AdtechConnection c) => $"{_version}/act_{Uri.EscapeDataString((c.AccountId ?? "").Replace("act_", "", StringComparison.Ordinal))}";

    protected internal override string CreatePath(AdtechConnection c) => $"{AdAccount(c)}/customaudiences";

    protected override string CheckPath(AdtechConnection c) => $"{AdAccount(c)}?fields=name,account_status";

    protected internal override string AddPath(AdtechConnection c, string id) => $"{_version}/{Uri.EscapeDataString(id)}/users";

    /// <summary>The replace session's path: <c>vNN.0/&lt;audience id&gt;/usersreplace</c> (removes take <see cref="AddPath"/> with DELETE).</summary>
    internal string ReplacePath(AdtechConnection c, string id) => $"{_version}/{Uri.EscapeDataString(id)}/usersreplace";

    /// <summary>The ad account's custom audiences of that name: <c>fields=id,name</c> and a <c>filtering</c> on the name.</summary>
    protected internal override AdtechRequest? FindByName(AdtechConnection c, string name)
    {
        var filtering = JsonSerializer.Serialize(new[] { new { field = "name", @operator = "EQUAL", value = name } });
        return new($"{CreatePath(c)}?fields=id,name&filtering={Uri.EscapeDataString(filtering)}");
    }

    protected internal override string? ReadFound(JsonNode? body, string name) => FindIn(body?["data"], name);

    /// <summary>Meta answers an add with <c>num_received</c> and <c>num_invalid_entries</c>, as numbers or numeric strings.</summary>
    protected internal override long FailedIn(JsonNode? body) => Count(body?["num_invalid_entries"]);

    protected internal override bool IsThrottled(int status, JsonNode? body) =>
        status is 400 or 403 && body?["error"] is JsonObject error
        && ((error["code"] is JsonValue code && code.TryGetValue<int>(out var c) && ThrottlingCodes.Contains(c))
            || (error["is_transient"] is JsonValue transient && transient.TryGetValue<bool>(out var t) && t));

    /// <summary>A count Meta sends as a number or as a numeric string; 0 when missing or neither.</summary>
    public static long Count(JsonNode? value) => MatchReport.Count(value) ?? 0;

    /// <summary>The upload session's id: a positive number derived from the export's key, so a resumed upload keeps its session.</summary>
    public static long SessionId(string exportKey) => (BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(exportKey))) & 0x3FFF_FFFF_FFFF_FFFF) + 1;

    public override void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create) =>
        Write(writer, state, batch, create, null);

    public override void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create, BatchPosition position) =>
        Write(writer, state, batch, create, position);

    /// <summary>The create body, or an add body: with the session where the batch's <paramref name="position"/> is known.</summary>
    private void Write(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create, BatchPosition? position)
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
            if (position is not null)
            {
                writer.WriteStartObject("session");
                writer.WriteNumber("session_id", SessionId(position.ExportKey));
                writer.WriteNumber("batch_seq", position.Sequence);
                writer.WriteBoolean("last_batch_flag", position.Last);
                if (position.EstimatedTotal is { } total)
                {
                    writer.WriteNumber("estimated_num_total", total);
                }

                writer.WriteEndObject();
            }

            var country = MemberNormalizer.Sha256Hex(state.RequireCountry().Lower);
            writer.WriteStartObject("payload");
            writer.WritePropertyName("schema");
            WriteStrings(writer, Schema);
            writer.WriteStartArray("data");
            foreach (var m in batch)
            {
                var rows = Math.Clamp(Math.Max(m.Emails.Count, m.Phones.Count), 1, MaxRowsPerMember);
                for (var row = 0; row < rows; row++)
                {
                    writer.WriteStartArray();
                    WriteAt(writer, m.Emails, row);
                    WriteAt(writer, m.Phones, row);
                    WriteAt(writer, m.Zips, Math.Min(row, Math.Max(0, m.Zips.Count - 1)));
                    writer.WriteStringValue(country);
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a list's value at <paramref name="index"/>, or "" when it has none there (Meta's unknown value).</summary>
    private static void WriteAt(Utf8JsonWriter writer, IReadOnlyList<string> values, int index)
    {
        if (index < values.Count)
        {
            WriteValue(writer, values, index);
        }
        else
        {
            writer.WriteStringValue("");
        }
    }
}
