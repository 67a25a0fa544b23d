using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// Google Customer Match through Google's Data Manager API (<c>https://datamanager.googleapis.com/</c>, the version from
/// <see cref="GoogleDataManagerOptions"/>), the route Google gives Customer Match integrations (the Google Ads API refuses
/// new adopters with CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE):
/// <list type="number">
/// <item><c>POST v1/accountTypes/GOOGLE_ADS/accounts/{customerId}/userLists</c> (UserListService.CreateUserList) creates
/// the user list: <c>displayName</c> (unique: a second gets DISPLAY_NAME_ALREADY_USED), <c>membershipDuration</c> (whole
/// days, at most 540), <c>ingestedUserListInfo.uploadKeyTypes = [CONTACT_ID]</c>, first-party data;</item>
/// <item><c>POST v1/audienceMembers:ingest</c> adds members to it and <c>POST v1/audienceMembers:remove</c> removes them:
/// at most <see cref="MaxMembersPerRequest"/> members of at most <see cref="MaxIdentifiersPerMember"/> identifiers a
/// request, the list named by a <c>destinations</c> entry (operating account, and login account for a manager, and the
/// list's id as <c>productDestinationId</c>), identifiers SHA-256 hex (<c>encoding: HEX</c>); ingests carry the members'
/// consent and the Customer Match terms of service;</item>
/// <item><c>POST v1/audienceMembers:removeAll</c> removes the members last added before a time (a full resync's replace).</item>
/// </list>
/// No request there honours an idempotency key, but all three member calls are safe to repeat. Requests are paced to
/// <see cref="GoogleDataManagerOptions.RequestsPerMinute"/> (Google's quota, 429 RESOURCE_EXHAUSTED beyond, which is
/// retried with backoff). The id written to the state is the list's resource name,
/// <c>accountTypes/GOOGLE_ADS/accounts/{customerId}/userLists/{userListId}</c>; a Google Ads API resource name
/// (<c>customers/{customerId}/userLists/{userListId}</c>) names the same list, so a connection can change API. Emails
/// are normalized with Google's gmail rule, phones to E.164 with "+". No address is sent: Google's <c>AddressInfo</c>
/// requires hashed given and family names besides the unhashed region and postal code, and member data carries no names.
/// </summary>
public sealed class GoogleDataManagerConnector(AdtechHttp http, TimeProvider clock, GoogleDataManagerOptions? options = null, RequestQuota? quota = null)
    : AdtechConnector(http, clock), IMirrorConnector
{
    private readonly GoogleDataManagerOptions _options = options ?? new GoogleDataManagerOptions();
    private readonly RequestQuota _quota = quota ?? RequestQuota.PerMinute((options ?? new GoogleDataManagerOptions()).RequestsPerMinute, clock);

    /// <summary>Google's limit of members in one ingest or remove request.</summary>
    public const int MaxMembersPerRequest = 10_000;

    /// <summary>Google's limit of identifiers of one member.</summary>
    public const int MaxIdentifiersPerMember = 10;

    public override string Key => AdtechKeys.GoogleAds;
    public override string DisplayName => "Google Customer Match (Data Manager API)";
    public override int BatchSize => MaxMembersPerRequest;
    public override NormalizationOptions Normalization(Country country) => new(country, GmailRule: true, Phone: PhoneFormat.E164, UseZip: false);
    protected internal override bool CreateCarriesMembers => false;

    /// <summary>Connections that did not choose the Google Ads API.</summary>
    public override bool Serves(AdtechConnection connection) => GoogleApi.Of(connection) == GoogleApi.DataManager;

    /// <summary>Adds and removes in requests of up to 10,000 members (<see cref="GoogleDataManagerMirrorTarget"/>).</summary>
    public IMirrorTarget MirrorTarget(AdtechConnection connection, AudienceState state, string audienceId) =>
        new GoogleDataManagerMirrorTarget(this, Http, connection, audienceId,
            TimeSpan.FromDays(AdtechKeys.MembershipLifeSpan(state.AdtechSetting(Key, "membership_life_span"))));

    private string Version => _options.ApiVersion;

    private string Account(AdtechConnection c) => $"{Version}/accountTypes/GOOGLE_ADS/accounts/{Uri.EscapeDataString(GoogleAdsConnector.CustomerId(c))}";

    protected internal override string CreatePath(AdtechConnection c) => $"{Account(c)}/userLists";

    /// <summary>One user list of the account (a read that needs a valid token with access to the account).</summary>
    protected override string CheckPath(AdtechConnection c) => $"{Account(c)}/userLists?pageSize=1";

    /// <summary>Members go to the ingest method; the body names the list.</summary>
    protected internal override string AddPath(AdtechConnection c, string target) => IngestPath;

    public string IngestPath => $"{Version}/audienceMembers:ingest";

    public string RemovePath => $"{Version}/audienceMembers:remove";

    public string RemoveAllPath => $"{Version}/audienceMembers:removeAll";

    /// <summary>The manager account the calls are made through, as the user list service's <c>login-account</c> header.</summary>
    protected internal override IReadOnlyList<KeyValuePair<string, string>> Headers(AdtechConnection connection) =>
        LoginAccount(connection) is { } login ? [new("login-account", $"accountTypes/GOOGLE_ADS/accounts/{login}")] : [];

    private static string? LoginAccount(AdtechConnection connection) =>
        string.IsNullOrWhiteSpace(connection.LoginCustomerId) ? null : connection.LoginCustomerId.Replace("-", "", StringComparison.Ordinal).Trim();

    protected internal override ValueTask PaceAsync(CancellationToken cancellationToken) => _quota.WaitAsync(cancellationToken);

    /// <summary>The created list's resource name, <c>name</c>.</summary>
    protected internal override string? ReadId(JsonNode? body) => body?["name"]?.ToString();

    /// <summary>The list of that display name (unique per account): ListUserLists with an AIP-160 filter.</summary>
    protected internal override AdtechRequest? FindByName(AdtechConnection c, string name) =>
        new($"{Account(c)}/userLists?filter={Uri.EscapeDataString("display_name = \"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")}");

    protected internal override string? ReadFound(JsonNode? body, string name) => FindIn(body?["userLists"], name, "displayName", "name");

    /// <summary>The user list's id (<c>productDestinationId</c>): the last segment of either API's resource name, or the id itself.</summary>
    public static string UserListId(string audienceId) => audienceId[(audienceId.LastIndexOf('/') + 1)..];

    /// <summary>The UserList body of a create (an ingest body needs the connection: <see cref="MembersPayload"/>).</summary>
    public override void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create) =>
        WritePayload(writer, state, batch, create, new BatchPosition("", 1, false));

    /// <summary>
    /// Create: the UserList body. Otherwise the ingest body of the batch into the list <see cref="BatchPosition.AudienceId"/>
    /// through <see cref="BatchPosition.Connection"/> (an upload's batches are written once the list exists).
    /// </summary>
    public override void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create, BatchPosition position)
    {
        if (!create)
        {
            if (position is not { AudienceId: { } audienceId, Connection: { } connection })
            {
                throw new InvalidOperationException("An ingest body names the user list and its account: the batch's position must carry them.");
            }

            WriteMembers(writer, connection, audienceId, batch, Request.Ingest);
            return;
        }

        var days = AdtechKeys.MembershipLifeSpan(state.AdtechSetting(Key, "membership_life_span"));
        writer.WriteStartObject();
        writer.WriteString("displayName", state.AdtechName(Key));
        writer.WriteString("description", state.Description);
        writer.WriteString("membershipStatus", "OPEN");
        // A protobuf Duration in JSON: seconds with an "s"; Google takes whole days only.
        writer.WriteString("membershipDuration", (days * 86_400L).ToString(CultureInfo.InvariantCulture) + "s");
        writer.WriteStartObject("ingestedUserListInfo");
        writer.WriteStartArray("uploadKeyTypes");
        writer.WriteStringValue("CONTACT_ID");
        writer.WriteEndArray();
        writer.WriteStartObject("contactIdInfo");
        writer.WriteString("dataSourceType", "DATA_SOURCE_TYPE_FIRST_PARTY");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The kinds of member request: an ingest carries consent and the terms of service, a remove does not.</summary>
    public enum Request
    {
        Ingest,
        Remove,
    }

    /// <summary>
    /// The IngestAudienceMembersRequest or RemoveAudienceMembersRequest body for <paramref name="batch"/> into the list
    /// <paramref name="audienceId"/> of <paramref name="connection"/>'s account: each member's hashed emails, then phones,
    /// at most <see cref="MaxIdentifiersPerMember"/>, in the same order every time (so a remove names what its add sent).
    /// </summary>
    public static byte[] MembersPayload(AdtechConnection connection, string audienceId, IReadOnlyList<HashedMember> batch, Request request) =>
        Json(writer => WriteMembers(writer, connection, audienceId, batch, request));

    private static void WriteMembers(Utf8JsonWriter writer, AdtechConnection connection, string audienceId, IReadOnlyList<HashedMember> batch, Request request)
    {
        writer.WriteStartObject();
        WriteDestinations(writer, connection, audienceId);
        writer.WriteStartArray("audienceMembers");
        foreach (var member in batch)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("userData");
            GoogleAdsConnector.WriteUserIdentifiers(writer, member, MaxIdentifiersPerMember, "emailAddress", "phoneNumber");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (request == Request.Ingest)
        {
            // Consent to use the members' data for ads and personalization: Google drops EEA users without it.
            writer.WriteStartObject("consent");
            writer.WriteString("adUserData", "CONSENT_GRANTED");
            writer.WriteString("adPersonalization", "CONSENT_GRANTED");
            writer.WriteEndObject();
        }

        writer.WriteString("encoding", "HEX");
        if (request == Request.Ingest)
        {
            // Customer Match data is taken only with its terms of service accepted.
            writer.WriteStartObject("termsOfService");
            writer.WriteString("customerMatchTermsOfServiceStatus", "ACCEPTED");
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>The RemoveAllAudienceMembersRequest body: the members of the list last added before <paramref name="asOf"/>.</summary>
    public static byte[] RemoveAllPayload(AdtechConnection connection, string audienceId, DateTimeOffset asOf) => Json(writer =>
    {
        writer.WriteStartObject();
        WriteDestinations(writer, connection, audienceId);
        // A protobuf Timestamp in JSON: RFC 3339 in UTC.
        writer.WriteString("removeAsOfTime", asOf.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    });

    private static void WriteDestinations(Utf8JsonWriter writer, AdtechConnection connection, string audienceId)
    {
        writer.WriteStartArray("destinations");
        writer.WriteStartObject();
        if (LoginAccount(connection) is { } login)
        {
            WriteAccount(writer, "loginAccount", login);
        }

        WriteAccount(writer, "operatingAccount", GoogleAdsConnector.CustomerId(connection));
        writer.WriteString("productDestinationId", UserListId(audienceId));
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static void WriteAccount(Utf8JsonWriter writer, string name, string accountId)
    {
        writer.WriteStartObject(name);
        writer.WriteString("accountType", "GOOGLE_ADS");
        writer.WriteString("accountId", accountId);
        writer.WriteEndObject();
    }
}
