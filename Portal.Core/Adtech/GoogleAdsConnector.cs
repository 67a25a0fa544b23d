using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Adtech.Matching;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// Google Ads Customer Match, shaped on the Google Ads API's REST surface (the version from <see cref="GoogleAdsOptions"/>, under the host
/// <c>https://googleads.googleapis.com/</c>) and job-style:
/// <list type="number">
/// <item><c>customers/{customerId}/userLists:mutate</c> creates a CRM-based user list (<c>CONTACT_INFO</c>);</item>
/// <item><c>customers/{customerId}/offlineUserDataJobs:create</c> opens a <c>CUSTOMER_MATCH_USER_LIST</c> job for it;</item>
/// <item><c>{job}:addOperations</c> adds members, at most <see cref="MaxUsersPerRequest"/> users per request with at most
/// <see cref="MaxIdentifiersPerUser"/> identifiers each, so never more than Google's 100,000 identifiers per request,
/// with partial failure on (rejected users are counted, the rest are kept);</item>
/// <item><c>{job}:run</c> runs the job after the last batch, and <c>customers/{customerId}/googleAds:search</c> on
/// <c>offline_user_data_job</c> polls it to SUCCESS or FAILED (with its <c>failure_reason</c>).</item>
/// </list>
/// Jobs carry the members' consent (<c>adUserData</c> and <c>adPersonalization</c> GRANTED); lists live at most 540 days
/// (<c>membershipLifeSpan</c>); CONCURRENT_MODIFICATION (another job on the list) is retried with backoff.
/// The id written to the state is the user list's <b>resource name</b>, <c>customers/{customerId}/userLists/{userListId}</c>
/// (the form every later Google Ads call takes). The customer id is the connection's account id (dashes allowed);
/// the <c>developer-token</c> header comes from the connection, and <c>login-customer-id</c> when it has one.
/// Emails are normalized with Google's gmail rule, phones to E.164 with "+" (the audience's country gives the calling
/// code a number without one gets). Postal codes and the country code are not sent: Google matches an address
/// (<c>addressInfo</c>: hashed first and last name, unhashed country code and postal code) only with all four, and member
/// data carries no names.
/// </summary>
public sealed class GoogleAdsConnector(AdtechHttp http, TimeProvider clock, GoogleAdsOptions? options = null, IBucket? bucket = null)
    : AdtechConnector(http, clock), IMirrorConnector, IMatchReporter
{
    /// <summary>
    /// Removes and adds in separate offline user data jobs, each run to its end (<see cref="GoogleAdsMirrorTarget"/>); a
    /// job left running is recorded in the bucket (when there is one) for the next sync to wait for.
    /// </summary>
    public IMirrorTarget MirrorTarget(AdtechConnection connection, AudienceState state, string audienceId) =>
        new GoogleAdsMirrorTarget(this, Http, connection, audienceId, bucket is null ? null : new GoogleAdsPendingJob(bucket, state.Name),
            TimeSpan.FromDays(MembershipLifeSpan(state)));

    /// <summary>Days a member stays on the audience's list after its last add: the state's <c>membership_life_span</c>, at most Google's 540.</summary>
    public int MembershipLifeSpan(AudienceState state) => AdtechKeys.MembershipLifeSpan(state.AdtechSetting(Key, "membership_life_span"));

    private readonly GoogleAdsOptions _options = options ?? new GoogleAdsOptions();
    private readonly AdtechHttp _http = http;
    private readonly TimeProvider _clock = clock;
    private string Version => _options.ApiVersion;

    /// <summary>Users (operations) per addOperations request.</summary>
    public const int MaxUsersPerRequest = 5_000;

    /// <summary>Google's limit of identifiers in one user's operation.</summary>
    public const int MaxIdentifiersPerUser = 20;

    /// <summary>Google's limit of identifiers in one addOperations request; <see cref="MaxUsersPerRequest"/> × <see cref="MaxIdentifiersPerUser"/> stays within it.</summary>
    public const int MaxIdentifiersPerRequest = 100_000;

    public override string Key => AdtechKeys.GoogleAds;
    public override string DisplayName => "Google Ads Customer Match";

    /// <summary>Connections that chose the Google Ads API (allowlisted accounts); the others go through the Data Manager API.</summary>
    public override bool Serves(AdtechConnection connection) => GoogleApi.Of(connection) == GoogleApi.GoogleAds;

    public override int BatchSize => MaxUsersPerRequest;
    public override NormalizationOptions Normalization(Country country) => new(country, GmailRule: true, Phone: PhoneFormat.E164, UseZip: false);
    protected internal override bool CreateCarriesMembers => false;

    /// <summary>The customer id as Google wants it in paths: digits, no dashes.</summary>
    public static string CustomerId(AdtechConnection connection) => (connection.AccountId ?? "").Replace("-", "", StringComparison.Ordinal).Trim();

    private string Api(AdtechConnection connection) => $"{Version}/customers/{Uri.EscapeDataString(CustomerId(connection))}";

    protected internal override string CreatePath(AdtechConnection c) => $"{Api(c)}/userLists:mutate";

    /// <summary>The customers the credentials may use (a read that needs both the token and the developer token).</summary>
    protected override string CheckPath(AdtechConnection c) => $"{Version}/customers:listAccessibleCustomers";

    /// <summary>Batches go to the job: <paramref name="target"/> is its resource name, <c>customers/{id}/offlineUserDataJobs/{id}</c>.</summary>
    protected internal override string AddPath(AdtechConnection c, string target) => $"{Version}/{target}:addOperations";

    protected internal override IReadOnlyList<KeyValuePair<string, string>> Headers(AdtechConnection connection)
    {
        var headers = new List<KeyValuePair<string, string>> { new("developer-token", connection.DeveloperToken ?? "") };
        if (!string.IsNullOrWhiteSpace(connection.LoginCustomerId))
        {
            headers.Add(new("login-customer-id", connection.LoginCustomerId.Replace("-", "", StringComparison.Ordinal).Trim()));
        }

        return headers;
    }

    /// <summary><c>results[0].resourceName</c> of the mutate answer.</summary>
    protected internal override string? ReadId(JsonNode? body) => body?["results"]?[0]?["resourceName"]?.ToString();

    /// <summary>
    /// Google's answer to one of several changes to the same list at once (one job at a time per list), which says to
    /// retry: <c>CONCURRENT_MODIFICATION</c> in a failure's error codes.
    /// </summary>
    protected internal override bool IsThrottled(int status, JsonNode? body) =>
        status is 400 or 409 && body?["error"]?["details"] is JsonArray details
        && details.SelectMany(d => d?["errors"] as JsonArray ?? []).Any(e => e?["errorCode"] is JsonObject code
            && code.Any(c => c.Value is JsonValue v && v.TryGetValue<string>(out var name) && name == "CONCURRENT_MODIFICATION"));

    /// <summary>
    /// Polls the job (a GAQL search on <c>offline_user_data_job</c>, as Google's examples do) until it is SUCCESS or
    /// FAILED; FAILED ends the upload with the job's <c>failure_reason</c>.
    /// </summary>
    protected internal override async Task<AdtechResponse?> AwaitJobAsync(AdtechConnection connection, string job, CancellationToken cancellationToken)
    {
        var search = JobStatusQuery(job);
        var headers = Headers(connection);
        for (var look = 1; ; look++)
        {
            var answer = await _http.PostAsync(connection, $"{Api(connection)}/googleAds:search", search, headers, null, cancellationToken, IsThrottled);
            if (!answer.IsSuccess)
            {
                return answer with { Message = $"The job ran, but its status could not be read: {answer.Message}" };
            }

            var found = answer.Body?["results"]?[0]?["offlineUserDataJob"];
            var status = found?["status"]?.ToString();
            if (status == "SUCCESS")
            {
                return answer with { Message = "The job ran: SUCCESS" };
            }

            if (status == "FAILED")
            {
                return answer with { Status = 422, Message = $"The job FAILED: {found?["failureReason"]?.ToString() ?? "no failure_reason given"}" };
            }

            if (found is null || look >= _options.JobPollLimit)
            {
                return answer with { Status = 504, Message = found is null ? $"Google does not know the job {job}" : $"The job is still {status} after {look} looks" };
            }

            await Task.Delay(TimeSpan.FromSeconds(_options.JobPollSeconds), _clock, cancellationToken);
        }
    }

    /// <summary>Whether <see cref="AwaitJobAsync"/> gave up on a job that had not ended (PENDING or RUNNING at the last look).</summary>
    public static bool StillRunning(AdtechResponse ended) =>
        !ended.IsSuccess && ended.Body?["results"]?[0]?["offlineUserDataJob"]?["status"]?.ToString() is "RUNNING" or "PENDING";

    /// <summary>The user list of that name (names are unique per customer): a GAQL search on <c>user_list</c>.</summary>
    protected internal override AdtechRequest? FindByName(AdtechConnection c, string name) => new($"{Api(c)}/googleAds:search", Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("query", "SELECT user_list.resource_name, user_list.name FROM user_list WHERE user_list.name = '"
            + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'");
        writer.WriteEndObject();
    }));

    protected internal override string? ReadFound(JsonNode? body, string name) =>
        (body?["results"] as JsonArray)?.Select(r => r?["userList"]).FirstOrDefault(l => l?["name"]?.ToString() == name)?["resourceName"]?.ToString();

    /// <summary>
    /// A GAQL search on <c>user_list</c> by resource name for its sizes and match rate: <c>size_for_display</c> and
    /// <c>size_for_search</c> (users matched on each network; the report's range), <c>match_rate_percentage</c> (Google's
    /// own rate, 0–100, of what was uploaded). Null sizes (not determined yet) make a failed report.
    /// </summary>
    public Task<MatchReport> ReportAsync(AdtechConnection c, string audienceId, CancellationToken cancellationToken) =>
        ReadReportAsync(c, new($"{Api(c)}/googleAds:search", SizeQuery(audienceId)), body =>
        {
            var list = body?["results"]?[0]?["userList"];
            long?[] sizes = [MatchReport.Count(list?["sizeForDisplay"]), MatchReport.Count(list?["sizeForSearch"])];
            var known = sizes.OfType<long>().ToList();
            return known.Count == 0 ? MatchReport.Failed("the user list's size is not determined yet")
                : new MatchReport(true, "Reported", null, known.Min(), known.Max(), (int?)MatchReport.Count(list?["matchRatePercentage"]));
        }, cancellationToken);

    /// <summary>The googleAds:search body that reads a user list's sizes and match rate.</summary>
    public static byte[] SizeQuery(string userList) => Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("query", "SELECT user_list.resource_name, user_list.size_for_display, user_list.size_for_search, user_list.match_rate_percentage "
            + $"FROM user_list WHERE user_list.resource_name = '{userList}'");
        writer.WriteEndObject();
    });

    /// <summary>The googleAds:search body that reads a job's status and failure reason.</summary>
    public static byte[] JobStatusQuery(string job) => Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("query", "SELECT offline_user_data_job.resource_name, offline_user_data_job.status, offline_user_data_job.failure_reason "
            + $"FROM offline_user_data_job WHERE offline_user_data_job.resource_name = '{job}'");
        writer.WriteEndObject();
    });

    protected internal override AdtechRequest? OpenJob(AdtechConnection connection, string id, long? runId) =>
        new($"{Api(connection)}/offlineUserDataJobs:create", JobPayload(id, runId));

    protected internal override string? ReadJob(JsonNode? body) => body?["resourceName"]?.ToString();

    protected internal override AdtechRequest? RunJob(AdtechConnection connection, string job) => new($"{Version}/{job}:run", "{}"u8.ToArray());

    /// <summary>Users of the batch that <c>partialFailureError</c> names: distinct operation indexes in its errors' locations.</summary>
    protected internal override long FailedIn(JsonNode? body)
    {
        if (body?["partialFailureError"]?["details"] is not JsonArray details)
        {
            return 0;
        }

        var operations = new HashSet<int>();
        foreach (var error in details.SelectMany(d => d?["errors"] as JsonArray ?? []))
        {
            var first = error?["location"]?["fieldPathElements"]?[0];
            if (first?["fieldName"]?.ToString() == "operations" && first["index"] is { } index)
            {
                operations.Add(index.GetValue<int>());
            }
        }

        return operations.Count;
    }

    /// <summary>
    /// The offlineUserDataJobs:create body for the user list <paramref name="userList"/> (a resource name); the job's
    /// <c>externalId</c> is the portal's export run that started the upload, when there is one.
    /// </summary>
    public static byte[] JobPayload(string userList, long? runId) => Json(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartObject("job");
        writer.WriteString("type", "CUSTOMER_MATCH_USER_LIST");
        if (runId is { } externalId)
        {
            // int64 fields are strings in the API's JSON.
            writer.WriteString("externalId", externalId.ToString(CultureInfo.InvariantCulture));
        }

        writer.WriteStartObject("customerMatchUserListMetadata");
        writer.WriteString("userList", userList);
        // Consent to use the members' data for ads and personalization: Google drops EEA users without it.
        writer.WriteStartObject("consent");
        writer.WriteString("adUserData", "GRANTED");
        writer.WriteString("adPersonalization", "GRANTED");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    /// <summary>Create: the userLists:mutate body. Otherwise the addOperations body, one create operation per member.</summary>
    public override void WritePayload(Utf8JsonWriter writer, AudienceState state, IReadOnlyList<HashedMember> batch, bool create)
    {
        writer.WriteStartObject();
        if (create)
        {
            var lifeSpan = MembershipLifeSpan(state);
            writer.WriteStartArray("operations");
            writer.WriteStartObject();
            writer.WriteStartObject("create");
            writer.WriteString("name", state.AdtechName(Key));
            writer.WriteString("description", state.Description);
            writer.WriteNumber("membershipLifeSpan", lifeSpan);
            writer.WriteStartObject("crmBasedUserList");
            writer.WriteString("uploadKeyType", "CONTACT_INFO");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
        }
        else
        {
            WriteOperations(writer, batch, "create");
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The addOperations body: partial failure on, one <paramref name="operation"/> (<c>create</c> or <c>remove</c>)
    /// per member, each with the member's hashed emails, then phones, at most <see cref="MaxIdentifiersPerUser"/>.
    /// </summary>
    public static byte[] OperationsPayload(IReadOnlyList<HashedMember> batch, string operation) => Json(writer =>
    {
        writer.WriteStartObject();
        WriteOperations(writer, batch, operation);
        writer.WriteEndObject();
    });

    private static void WriteOperations(Utf8JsonWriter writer, IReadOnlyList<HashedMember> batch, string operation)
    {
        writer.WriteBoolean("enablePartialFailure", true);
        writer.WriteStartArray("operations");
        foreach (var member in batch)
        {
            writer.WriteStartObject();
            writer.WriteStartObject(operation);
            WriteUserIdentifiers(writer, member, MaxIdentifiersPerUser, "hashedEmail", "hashedPhoneNumber");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// A <c>userIdentifiers</c> array of Google's: the member's hashed emails, then phones, at most <paramref name="max"/>,
    /// each an object of one property (<paramref name="email"/> or <paramref name="phone"/>), in the same order every
    /// time (so a remove names exactly what its add sent).
    /// </summary>
    internal static void WriteUserIdentifiers(Utf8JsonWriter writer, HashedMember member, int max, string email, string phone)
    {
        writer.WriteStartArray("userIdentifiers");
        var emails = Math.Min(member.Emails.Count, max);
        var phones = Math.Min(member.Phones.Count, max - emails);
        for (var i = 0; i < emails + phones; i++)
        {
            writer.WriteStartObject();
            writer.WritePropertyName(i < emails ? email : phone);
            WriteValue(writer, i < emails ? member.Emails : member.Phones, i < emails ? i : i - emails);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
