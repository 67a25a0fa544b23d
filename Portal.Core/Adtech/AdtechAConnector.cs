using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Adtech.Matching;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>AdtechA, as the seed describes it: an <c>audience_type</c> from its enum, bearer token, advertiser id in the URL.</summary>
public sealed class AdtechAConnector(AdtechHttp http, TimeProvider clock) : AdtechConnector(http, clock), IMirrorConnector, IMatchReporter
{
    public override string Key => AdtechKeys.AdtechA;
    public override string DisplayName => "AdtechA";
    public override int BatchSize => 5_000;

    protected internal override string CreatePath(AdtechConnection c) => $"adtech-a/v2/audiences?advertiserId={Uri.EscapeDataString(c.AccountId ?? "")}";

    protected override string CheckPath(AdtechConnection c) => $"adtech-a/v2/advertisers/{Uri.EscapeDataString(c.AccountId ?? "")}";

    protected internal override string AddPath(AdtechConnection c, string id) =>
        $"adtech-a/v2/audiences/{Uri.EscapeDataString(id)}/members?advertiserId={Uri.EscapeDataString(c.AccountId ?? "")}";

    protected internal override AdtechRequest? FindByName(AdtechConnection c, string name) =>
        new($"adtech-a/v2/audiences?advertiserId={Uri.EscapeDataString(c.AccountId ?? "")}&name={Uri.EscapeDataString(name)}");

    protected internal override string? ReadFound(JsonNode? body, string name) => FindIn(body?["audiences"], name);

    /// <summary>The sandbox's report route in the seed's style (the seed documents none): members held and matched.</summary>
    public Task<MatchReport> ReportAsync(AdtechConnection c, string audienceId, CancellationToken cancellationToken) =>
        ReadReportAsync(c, new($"adtech-a/v2/audiences/{Uri.EscapeDataString(audienceId)}/report?advertiserId={Uri.EscapeDataString(c.AccountId ?? "")}"),
            MatchReport.OfReceivedAndMatched, cancellationToken);

    /// <summary>Adds with the add route; removes with a DELETE of the same body on the same path.</summary>
    public IMirrorTarget MirrorTarget(AdtechConnection connection, AudienceState state, string audienceId) =>
        new MemberRouteTarget(Http, this, connection, state, audienceId);

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
