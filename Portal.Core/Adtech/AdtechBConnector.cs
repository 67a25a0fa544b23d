using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Adtech.Matching;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// AdtechB, as the seed describes it: <c>expiration</c> in days, members as a <c>schema</c> of columns and <c>data</c>
/// rows, and empty keys dropped from the payload (the seed's <c>_drop_empty_keys</c>, including its dropping of 0).
/// </summary>
public sealed class AdtechBConnector(AdtechHttp http, TimeProvider clock) : AdtechConnector(http, clock), IMirrorConnector, IMatchReporter
{
    public static readonly string[] Schema = ["EMAIL", "PHONE", "ZIP"];

    public override string Key => AdtechKeys.AdtechB;
    public override string DisplayName => "AdtechB";
    public override int BatchSize => 10_000;

    protected internal override string CreatePath(AdtechConnection c) => "adtech-b/audiences";

    protected override string CheckPath(AdtechConnection c) => "adtech-b/me";

    protected internal override string AddPath(AdtechConnection c, string id) => $"adtech-b/audiences/{Uri.EscapeDataString(id)}/data";

    protected internal override AdtechRequest? FindByName(AdtechConnection c, string name) => new($"adtech-b/audiences?name={Uri.EscapeDataString(name)}");

    protected internal override string? ReadFound(JsonNode? body, string name) => FindIn(body?["audiences"], name);

    /// <summary>The sandbox's report route in the seed's style (the seed documents none): members held and matched.</summary>
    public Task<MatchReport> ReportAsync(AdtechConnection c, string audienceId, CancellationToken cancellationToken) =>
        ReadReportAsync(c, new($"adtech-b/audiences/{Uri.EscapeDataString(audienceId)}/report"), MatchReport.OfReceivedAndMatched, cancellationToken);

    /// <summary>Adds with the add route; removes with a DELETE of the same body on the same path.</summary>
    public IMirrorTarget MirrorTarget(AdtechConnection connection, AudienceState state, string audienceId) =>
        new MemberRouteTarget(Http, this, connection, state, audienceId);

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
