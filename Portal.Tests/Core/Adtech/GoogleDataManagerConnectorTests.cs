using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// Google Customer Match through the Data Manager API: the requests pinned on Google's real host against the API's
/// proto (google/ads/datamanager/v1: UserListService.CreateUserList, IngestionService.IngestAudienceMembers /
/// RemoveAudienceMembers / RemoveAllAudienceMembers and their HTTP bindings), and the sandbox's checks of the documented
/// limits (10,000 members, 10 identifiers, the per-minute quota with 429 RESOURCE_EXHAUSTED).
/// </summary>
public sealed class GoogleDataManagerConnectorTests : IAsyncLifetime
{
    private const string Yaml = "g:\n  description: d\n  country: IN\n  source: {endpoint: g/}\n  googleAds:\n    name: G\n";
    private const string List = "accountTypes/GOOGLE_ADS/accounts/1234567890/userLists/42";
    private const string Host = "https://datamanager.googleapis.com/";

    private SandboxServer _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await SandboxServer.StartAsync();

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private static AudienceState State(string yaml = Yaml) => AudienceStateParser.Parse("g.yml", yaml).State!;

    private static AdtechHttp Http(HttpMessageHandler? handler = null) =>
        new(handler is null ? new HttpClient() : new HttpClient(handler), new AdtechRetryOptions { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 }, TimeProvider.System);

    private static GoogleDataManagerConnector Connector(HttpMessageHandler? handler = null, RequestQuota? quota = null) =>
        new(Http(handler), TimeProvider.System, quota: quota);

    private static AdtechConnection RealHost(string? login = null) =>
        new(AdtechKeys.GoogleAds, new Uri(Host), "123-456-7890", "token") { LoginCustomerId = login };

    private AdtechConnection Sandbox() => new(AdtechKeys.GoogleAds, new Uri(_sandbox.DataManagerBaseUrl), "123-456-7890", _sandbox.State.AccessToken);

    private static HashedMember Hashed(Member member) => new HashStats().Hash(member, Connector().Normalization(State().RequireCountry()));

    private static async IAsyncEnumerable<Member> Members(params Member[] members)
    {
        foreach (var member in members)
        {
            yield return member;
        }

        await Task.CompletedTask;
    }

    /// <summary>Google's answers: the created UserList, or an ingest's request id.</summary>
    private static (int, string) GoogleAnswer(RecordedRequest request) =>
        request.Url.EndsWith("/userLists", StringComparison.Ordinal) ? (200, $$"""{"name":"{{List}}","id":"42","displayName":"G"}""") : (200, """{"requestId":"r-1"}""");

    private static string Email(string email) => MemberNormalizer.Sha256Hex(email);

    /// <summary>JSON written with single quotes (easier to read in a test), as the API's double-quoted JSON.</summary>
    private static string Quoted(string json) => json.Replace('\'', '"');

    [Fact]
    public async Task Upload_OnGooglesRealHost_CreatesTheUserListThenIngestsIntoItWithConsentHexAndTheTerms()
    {
        var handler = new RecordingHandler(GoogleAnswer);

        var outcome = await Connector(handler).UploadAsync(State(), RealHost(login: "111-222-3333"),
            Members(new Member(["A.B+promo@GMail.com"], ["+91 98123 45678"], ["560001"])));

        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Assert.Equal(List, outcome.Id);
        Assert.Equal([$"{Host}v1/accountTypes/GOOGLE_ADS/accounts/1234567890/userLists", $"{Host}v1/audienceMembers:ingest"], handler.Requests.Select(r => r.Url));
        Assert.All(handler.Requests, r => Assert.Equal(("POST", "Bearer token", "accountTypes/GOOGLE_ADS/accounts/1112223333"),
            (r.Method, r.Headers["Authorization"], r.Headers["login-account"])));
        Assert.Equal(Quoted("{'displayName':'G','description':'d','membershipStatus':'OPEN','membershipDuration':'46656000s',"
            + "'ingestedUserListInfo':{'uploadKeyTypes':['CONTACT_ID'],'contactIdInfo':{'dataSourceType':'DATA_SOURCE_TYPE_FIRST_PARTY'}}}"),
            handler.Requests[0].Body);
        Assert.Equal(Quoted("{'destinations':[{'loginAccount':{'accountType':'GOOGLE_ADS','accountId':'1112223333'},"
            + "'operatingAccount':{'accountType':'GOOGLE_ADS','accountId':'1234567890'},'productDestinationId':'42'}],"
            + $"'audienceMembers':[{{'userData':{{'userIdentifiers':[{{'emailAddress':'{Email("ab@gmail.com")}'}},{{'phoneNumber':'{Email("+919812345678")}'}}]}}}}],"
            + "'consent':{'adUserData':'CONSENT_GRANTED','adPersonalization':'CONSENT_GRANTED'},'encoding':'HEX',"
            + "'termsOfService':{'customerMatchTermsOfServiceStatus':'ACCEPTED'}}"),
            handler.Requests[1].Body);
    }

    [Theory]
    [InlineData("30", "2592000s")]
    [InlineData("0", "0s")]
    [InlineData("10000", "46656000s")] // a state file's former "no expiry" is Google's longest, 540 days
    public void CreatePayload_MembershipLifeSpan_IsAMembershipDurationOfWholeDaysUpTo540(string days, string duration)
    {
        var body = JsonDocument.Parse(Connector().Payload(State(Yaml + $"    membership_life_span: {days}\n"), [], create: true)).RootElement;

        Assert.Equal(duration, body.GetProperty("membershipDuration").GetString());
    }

    [Fact]
    public async Task RemoveAndRemoveAll_OnGooglesRealHost_AreTheRemoveRequestShapes()
    {
        var handler = new RecordingHandler(GoogleAnswer);
        var target = new GoogleDataManagerMirrorTarget(Connector(handler), Http(handler), RealHost(), "customers/1234567890/userLists/42");
        var started = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.True((await target.RemoveAsync([Hashed(new Member(["a@example.com"], [], []))], default)).Accepted);
        Assert.True((await target.RemoveAddedBeforeAsync(started, default)).Accepted);

        const string Destination = "{'destinations':[{'operatingAccount':{'accountType':'GOOGLE_ADS','accountId':'1234567890'},'productDestinationId':'42'}],";
        Assert.Equal([$"{Host}v1/audienceMembers:remove", $"{Host}v1/audienceMembers:removeAll"], handler.Requests.Select(r => r.Url));
        Assert.Equal(Quoted(Destination + $"'audienceMembers':[{{'userData':{{'userIdentifiers':[{{'emailAddress':'{Email("a@example.com")}'}}]}}}}],'encoding':'HEX'}}"),
            handler.Requests[0].Body);
        Assert.Equal(Quoted(Destination + "'removeAsOfTime':'2026-03-01T11:55:00.0000000Z'}"), handler.Requests[1].Body);
    }

    [Fact]
    public async Task Add_MemberWithTwelveIdentifiers_SendsTheFirstTenAndTheSandboxTakesThem()
    {
        var list = await CreateListAsync();
        var target = new GoogleDataManagerMirrorTarget(Connector(), Http(), Sandbox(), list);
        var member = Hashed(new Member([.. Enumerable.Range(0, 8).Select(i => $"m{i}@example.com")], ["+91 9800000001", "+91 9800000002", "+91 9800000003", "+91 9800000004"], []));

        var answer = await target.AddAsync([member], default);

        Assert.True(answer.Accepted, answer.Message);
        var key = SandboxMembers.RowKey(member.Emails, member.Phones.Take(2), []);
        Assert.Equal([key], _sandbox.State.DataManager.Members(list));
    }

    [Theory]
    [InlineData(10_001, 1, "TOO_MANY_AUDIENCE_MEMBERS", "audience_members")]
    [InlineData(1, 11, "TOO_MANY_USER_IDENTIFIERS", "audience_members[0].user_data.user_identifiers")]
    public async Task Sandbox_OverTheRequestLimits_RefusedWithGooglesErrorShape(int members, int identifiers, string reason, string field)
    {
        var list = await CreateListAsync();
        var email = $$"""{"emailAddress":"{{new string('a', 64)}}"}""";
        var member = $$$"""{"userData":{"userIdentifiers":[{{{string.Join(',', Enumerable.Repeat(email, identifiers))}}}]}}""";
        var body = $$$"""
            {"destinations":[{"operatingAccount":{"accountType":"GOOGLE_ADS","accountId":"1234567890"},"productDestinationId":"{{{GoogleDataManagerConnector.UserListId(list)}}}"}],
            "audienceMembers":[{{{string.Join(',', Enumerable.Repeat(member, members))}}}],"encoding":"HEX","termsOfService":{"customerMatchTermsOfServiceStatus":"ACCEPTED"}}
            """;

        var (status, error) = await PostAsync("v1/audienceMembers:ingest", body);

        Assert.Equal((400, "INVALID_ARGUMENT"), (status, error.GetProperty("status").GetString()));
        Assert.Equal(reason, error.GetProperty("details")[0].GetProperty("reason").GetString());
        Assert.Equal(field, error.GetProperty("details")[1].GetProperty("fieldViolations")[0].GetProperty("field").GetString());
        Assert.Empty(_sandbox.State.DataManager.Members(list));
    }

    [Theory]
    [InlineData("\"encoding\":\"HEX\",", "TERMS_AND_CONDITIONS_NOT_SIGNED")] // no terms of service
    [InlineData("\"termsOfService\":{\"customerMatchTermsOfServiceStatus\":\"ACCEPTED\"},", "REQUIRED_FIELD_MISSING")] // no encoding
    public async Task Sandbox_IngestWithoutARequiredField_Refused(string fields, string reason)
    {
        var list = await CreateListAsync();
        var body = $$$"""
            {{{{fields}}}"destinations":[{"operatingAccount":{"accountType":"GOOGLE_ADS","accountId":"1234567890"},"productDestinationId":"{{{GoogleDataManagerConnector.UserListId(list)}}}"}],
            "audienceMembers":[{"userData":{"userIdentifiers":[{"emailAddress":"{{{new string('a', 64)}}}"}]}}]}
            """;

        var (status, error) = await PostAsync("v1/audienceMembers:ingest", body);

        Assert.Equal((400, reason), (status, error.GetProperty("details")[0].GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Sandbox_SecondListOfTheSameName_RefusedWithDisplayNameAlreadyUsed()
    {
        await CreateListAsync();

        var outcome = await Connector().UploadAsync(State(), Sandbox(), AsyncEnumerable.Empty<Member>());

        Assert.False(outcome.Succeeded);
        Assert.Equal(400, outcome.Response.Status);
        Assert.Equal(1, _sandbox.State.DataManager.Creates);
    }

    [Fact]
    public async Task Add_QuotaExhaustedOnce_RetriedAfterThe429AndAppliedOnce()
    {
        var list = await CreateListAsync();
        _sandbox.State.DataManager.QuotaRequests = 1;
        _sandbox.State.DataManager.QuotaWindow = TimeSpan.FromMilliseconds(100);
        var backoff = new AdtechHttp(new HttpClient(), new AdtechRetryOptions { BaseDelaySeconds = 0.1, TimeoutSeconds = 5 }, TimeProvider.System);
        var target = new GoogleDataManagerMirrorTarget(Connector(), backoff, Sandbox(), list);
        var member = Hashed(new Member(["a@example.com"], [], []));
        Assert.True((await target.AddAsync([member], default)).Accepted);

        var answer = await target.AddAsync([Hashed(new Member(["b@example.com"], [], []))], default); // within the window: 429, then retried

        Assert.True(answer.Accepted, answer.Message);
        Assert.True(_sandbox.State.DataManager.QuotaRefusals >= 1);
        Assert.Equal(2, _sandbox.State.DataManager.Members(list).Count);
    }

    [Fact]
    public async Task Add_PacedToTheQuota_NeverRefusedAndWaitsForTheWindow()
    {
        var list = await CreateListAsync();
        _sandbox.State.DataManager.QuotaRequests = 3;
        _sandbox.State.DataManager.QuotaWindow = TimeSpan.FromSeconds(1);
        // The portal's window is a little longer than the sandbox's, so that network latency never lets a request in early.
        var quota = new RequestQuota(3, TimeSpan.FromSeconds(1.2), TimeProvider.System);
        var target = new GoogleDataManagerMirrorTarget(Connector(quota: quota), Http(), Sandbox(), list);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < 7; i++)
        {
            Assert.True((await target.AddAsync([Hashed(new Member([$"m{i}@example.com"], [], []))], default)).Accepted);
        }

        Assert.Equal(0, _sandbox.State.DataManager.QuotaRefusals);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.4), $"7 requests at 3 per 1.2 s took {watch.Elapsed}");
        Assert.Equal(7, _sandbox.State.DataManager.Members(list).Count);
    }

    private async Task<string> CreateListAsync()
    {
        var outcome = await Connector().UploadAsync(State(), Sandbox(), AsyncEnumerable.Empty<Member>());
        Assert.True(outcome.Succeeded, outcome.Response.Message);
        return outcome.Id!;
    }

    private async Task<(int Status, JsonElement Error)> PostAsync(string path, string body)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_sandbox.DataManagerBaseUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _sandbox.State.AccessToken);
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return ((int)response.StatusCode, json.TryGetProperty("error", out var error) ? error : json);
    }
}
