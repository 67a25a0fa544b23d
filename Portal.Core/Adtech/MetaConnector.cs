using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// Meta Custom Audiences, shaped on the Marketing API (Graph host <c>https://graph.facebook.com/</c> as the connection's
/// base URL, the version from <see cref="MetaOptions"/>): the audience is created empty on the ad account, then users are
/// added as <c>payload.schema</c> + <c>payload.data</c> rows, at most 10,000 per request. One value per key and row
/// (a member's first), phones hashed as digits with country code and no "+", and the audience's country as the
/// multi-key <c>COUNTRY</c> (lower-case ISO alpha-2, hashed like every other key).
/// </summary>
public sealed class MetaConnector(AdtechHttp http, TimeProvider clock, MetaOptions? options = null) : AdtechConnector(http, clock)
{
    private readonly string _version = (options ?? new MetaOptions()).ApiVersion;

    public const int MaxRecordsPerRequest = 10_000;
    public static readonly string[] Schema = ["EMAIL", "PHONE", "ZIP", "COUNTRY"];

    public override string Key => AdtechKeys.Meta;
    public override string DisplayName => "Meta Custom Audiences";
    public override int BatchSize => MaxRecordsPerRequest;
    public override NormalizationOptions Normalization(Country country) => new(country, Phone: PhoneFormat.DigitsOnly);
    protected internal override bool CreateCarriesMembers => false;

    /// <summary>The ad account's path, <c>vNN.0/act_&lt;id&gt;</c>, whether the connection names it with "act_" or not.</summary>
    private string AdAccount(AdtechConnection c) => $"{_version}/act_{Uri.EscapeDataString((c.AccountId ?? "").Replace("act_", "", StringComparison.Ordinal))}";

    protected internal override string CreatePath(AdtechConnection c) => $"{AdAccount(c)}/customaudiences";

    protected override string CheckPath(AdtechConnection c) => $"{AdAccount(c)}?fields=name,account_status";

    protected internal override string AddPath(AdtechConnection c, string id) => $"{_version}/{Uri.EscapeDataString(id)}/users";

    /// <summary>Meta answers an add with <c>num_received</c> and <c>num_invalid_entries</c>.</summary>
    protected internal override long FailedIn(JsonNode? body) => body?["num_invalid_entries"]?.GetValue<long>() ?? 0;

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
