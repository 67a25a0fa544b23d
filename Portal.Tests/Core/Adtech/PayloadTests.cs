using System.Text;
using Portal.Core.Adtech;
using Portal.Core.Audiences;

namespace Portal.Tests.Core.Adtech;

public sealed class PayloadTests
{
    private static readonly AdtechHttp NoHttp = new(new HttpClient(), new AdtechRetryOptions(), TimeProvider.System);

    private static AudienceState State(string yaml) => AudienceStateParser.Parse("demo_audience.yml", yaml).State!;

    private static readonly HashedMember Full = new(["e1"], ["p1"], ["z1"]);
    private static readonly HashedMember EmailOnly = new(["e2", "e3"], [], []);

    [Fact]
    public void AdtechA_CreatePayload_HasNameTypeAndMemberLists()
    {
        var payload = Json(new AdtechAConnector(NoHttp, TimeProvider.System).Payload(State(Core.Audiences.SeedStates.Stage1Basic), [Full, EmailOnly], create: true));
        Assert.Equal("""{"name":"New Audience","description":"A demo audience from a filtered demo data source.","audience_type":"TYPE_X","members":[{"email":["e1"],"phone_number":["p1"],"zip_code":["z1"]},{"email":["e2","e3"],"phone_number":[],"zip_code":[]}]}""",
            payload);
    }

    [Fact]
    public void AdtechB_CreatePayload_IsTheSeedsSchemaAndDataShape()
    {
        var payload = Json(new AdtechBConnector(NoHttp, TimeProvider.System).Payload(State(Core.Audiences.SeedStates.Stage3FurtherConfiguration), [Full, EmailOnly], create: true));
        Assert.Equal("""{"name":"Demo Audience","description":"A demo audience from a filtered demo data source.","expiration":300,"schema":["EMAIL","PHONE","ZIP"],"data":[[["e1"],["p1"],["z1"]],[["e2","e3"],[],[]]]}""",
            payload);
    }

    [Fact]
    public void AdtechB_AddPayload_CarriesOnlySchemaAndData()
    {
        var payload = Json(new AdtechBConnector(NoHttp, TimeProvider.System).Payload(State(Core.Audiences.SeedStates.Stage3FurtherConfiguration), [Full], create: false));
        Assert.Equal("""{"schema":["EMAIL","PHONE","ZIP"],"data":[[["e1"],["p1"],["z1"]]]}""", payload);
    }

    [Fact]
    public void AdtechB_EmptyValues_AreDroppedAsTheSeedsDropEmptyKeysDoes()
    {
        var state = State("demo_audience:\n  description: ''\n  source: {endpoint: x}\n  adtechB:\n    name: B\n    expiration_time: 0\n");
        var payload = Json(new AdtechBConnector(NoHttp, TimeProvider.System).Payload(state, [], create: true));
        Assert.Equal("""{"name":"B","schema":["EMAIL","PHONE","ZIP"]}""", payload);
    }

    /// <summary>The SHA-256 of "in", Meta's COUNTRY for India (lower-case alpha-2), computed with sha256sum.</summary>
    private const string InHashed = "582967534d0f909d196b97f9e6921342777aea87b46fa52df165389db1fb8ccf";

    [Fact]
    public void Meta_CreateThenAdd_AreTheMarketingApiShapesWithTheHashedCountryAndARowPerEmail()
    {
        var state = State("demo_audience:\n  description: d\n  country: IN\n  source: {endpoint: x}\n  meta:\n    name: Demo on Meta\n");
        var meta = new MetaConnector(NoHttp, TimeProvider.System);
        Assert.Equal("""{"name":"Demo on Meta","description":"d","subtype":"CUSTOM","customer_file_source":"USER_PROVIDED_ONLY"}""", Json(meta.Payload(state, [], create: true)));
        Assert.Equal($$$"""{"payload":{"schema":["EMAIL","PHONE","ZIP","COUNTRY"],"data":[["e1","p1","z1","{{{InHashed}}}"],["e2","","","{{{InHashed}}}"],["e3","","","{{{InHashed}}}"]]}}""",
            Json(meta.Payload(state, [Full, EmailOnly], create: false)));
        Assert.Equal(PhoneFormat.DigitsOnly, meta.Normalization(state.RequireCountry()).Phone);
        Assert.Equal(2_000, meta.BatchSize); // 5 rows a member at most: 10,000 rows a request
        Assert.Equal(MetaConnector.MaxRecordsPerRequest, meta.BatchSize * MetaConnector.MaxRowsPerMember);
    }

    [Fact]
    public void Meta_CountryFromTheConfiguredDefault_IsHashedLowerCase()
    {
        var state = AudienceStateParser.Parse("demo_audience.yml", "demo_audience:\n  description: d\n  source: {endpoint: x}\n  meta:\n    name: M\n", "IN").State!;
        Assert.Contains($"\"{InHashed}\"", Json(new MetaConnector(NoHttp, TimeProvider.System).Payload(state, [Full], create: false)), StringComparison.Ordinal);
    }

    [Fact]
    public void Meta_AudienceWithoutCountry_IsRefusedNotGuessed()
    {
        var state = State("demo_audience:\n  description: d\n  source: {endpoint: x}\n  meta:\n    name: M\n");
        var error = Assert.Throws<InvalidOperationException>(() => new MetaConnector(NoHttp, TimeProvider.System).Payload(state, [Full], create: false));
        Assert.Contains("Audiences:DefaultCountry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GoogleAds_CreateUserList_IsAUserListsMutateWithACrmBasedContactInfoList()
    {
        var state = State("demo_audience:\n  description: d\n  source: {endpoint: x}\n  googleAds:\n    name: Demo on Google\n    membership_life_span: 30\n");
        Assert.Equal("""{"operations":[{"create":{"name":"Demo on Google","description":"d","membershipLifeSpan":30,"crmBasedUserList":{"uploadKeyType":"CONTACT_INFO"}}}]}""",
            Json(Google.Payload(state, [], create: true)));
    }

    [Fact]
    public void GoogleAds_CreateWithoutLifeSpan_AsksForGooglesLongest540Days()
    {
        var state = State("demo_audience:\n  description: d\n  source: {endpoint: x}\n  googleAds:\n    name: G\n");
        Assert.Contains("\"membershipLifeSpan\":540", Json(Google.Payload(state, [], create: true)), StringComparison.Ordinal);
        var formerNoExpiry = State("demo_audience:\n  description: d\n  source: {endpoint: x}\n  googleAds:\n    name: G\n    membership_life_span: 10000\n");
        Assert.Contains("\"membershipLifeSpan\":540", Json(Google.Payload(formerNoExpiry, [], create: true)), StringComparison.Ordinal);
    }

    [Fact]
    public void GoogleAds_AddOperations_OneCreatePerMemberWithHashedIdentifiersAndPartialFailureOn()
    {
        var state = State("demo_audience:\n  description: d\n  source: {endpoint: x}\n  googleAds:\n    name: G\n");
        Assert.Equal("""{"enablePartialFailure":true,"operations":[{"create":{"userIdentifiers":[{"hashedEmail":"e1"},{"hashedPhoneNumber":"p1"}]}},{"create":{"userIdentifiers":[{"hashedEmail":"e2"},{"hashedEmail":"e3"}]}}]}""",
            Json(Google.Payload(state, [Full, EmailOnly], create: false)));
    }

    [Fact]
    public void GoogleAds_MemberWithManyIdentifiers_IsCappedAtTwentyAndRequestsAtFiveThousandUsers()
    {
        var state = State("demo_audience:\n  description: d\n  source: {endpoint: x}\n  googleAds:\n    name: G\n");
        var many = new HashedMember(Enumerable.Range(0, 15).Select(i => $"e{i}").ToList(), Enumerable.Range(0, 10).Select(i => $"p{i}").ToList(), []);
        using var document = System.Text.Json.JsonDocument.Parse(Google.Payload(state, [many], create: false));
        var identifiers = document.RootElement.GetProperty("operations")[0].GetProperty("create").GetProperty("userIdentifiers");
        Assert.Equal(GoogleAdsConnector.MaxIdentifiersPerUser, identifiers.GetArrayLength());
        Assert.Equal("p4", identifiers[19].GetProperty("hashedPhoneNumber").GetString());

        Assert.Equal(5_000, Google.BatchSize);
        Assert.True(Google.BatchSize * GoogleAdsConnector.MaxIdentifiersPerUser <= GoogleAdsConnector.MaxIdentifiersPerRequest);
    }

    [Fact]
    public void GoogleAds_Job_IsACustomerMatchUserListJobForTheListWithConsentQuotingTheRun()
    {
        Assert.Equal("""{"job":{"type":"CUSTOMER_MATCH_USER_LIST","externalId":"42","customerMatchUserListMetadata":{"userList":"customers/123/userLists/456","consent":{"adUserData":"GRANTED","adPersonalization":"GRANTED"}}}}""",
            Json(GoogleAdsConnector.JobPayload("customers/123/userLists/456", 42)));
        Assert.Equal("""{"job":{"type":"CUSTOMER_MATCH_USER_LIST","customerMatchUserListMetadata":{"userList":"customers/123/userLists/456","consent":{"adUserData":"GRANTED","adPersonalization":"GRANTED"}}}}""",
            Json(GoogleAdsConnector.JobPayload("customers/123/userLists/456", null)));
        Assert.Equal("""{"query":"SELECT offline_user_data_job.resource_name, offline_user_data_job.status, offline_user_data_job.failure_reason FROM offline_user_data_job WHERE offline_user_data_job.resource_name = \u0027customers/1/offlineUserDataJobs/2\u0027"}""",
            Json(GoogleAdsConnector.JobStatusQuery("customers/1/offlineUserDataJobs/2")));
    }

    [Fact]
    public void GoogleAds_Normalization_GmailRuleE164PhonesAndNoZips()
    {
        Assert.True(Country.TryGet("IN", out var india));
        Assert.Equal(new NormalizationOptions(india, GmailRule: true, Phone: PhoneFormat.E164, UseZip: false), Google.Normalization(india));
        Assert.Equal("1234567890", GoogleAdsConnector.CustomerId(new AdtechConnection("googleAds", new Uri("https://g.example/"), "123-456-7890", null)));
    }

    [Fact]
    public void Payloads_OfHashedMembers_AreTheBytesOfTheirHexStrings()
    {
        var stats = new HashStats();
        var hashed = new[]
        {
            new Member(["A@Example.com", "b@example.com"], ["(415) 555-0123"], ["94103-1234"]),
            new Member([], ["+44 20 7946 0958", "+1 415 555 0199"], []),
            new Member(["973DFE463EC85785F5F95AF5BA3906EEDB2D931C24E69824A89EA65DBA4E813B"], [], ["10001"]),
        }.Select(m => stats.Hash(m, new NormalizationOptions(Country.TryGet("US", out var us) ? us : null!))).ToList();
        var asStrings = hashed.Select(h => new HashedMember([.. h.Emails], [.. h.Phones], [.. h.Zips])).ToList();
        Assert.IsType<HashList>(hashed[0].Emails);
        var state = State("demo_audience:\n  description: d\n  country: US\n  source: {endpoint: x}\n  adtechA:\n    name: A\n    audience_type: TYPE_X\n  adtechB:\n    name: B\n  meta:\n    name: M\n  googleAds:\n    name: G\n");

        AdtechConnector[] connectors = [new AdtechAConnector(NoHttp, TimeProvider.System), new AdtechBConnector(NoHttp, TimeProvider.System), new MetaConnector(NoHttp, TimeProvider.System), Google];
        foreach (var connector in connectors)
        {
            Assert.Equal(Json(connector.Payload(state, asStrings, create: false)), Json(connector.Payload(state, hashed, create: false)));
            Assert.Equal(Json(connector.Payload(state, asStrings, create: true)), Json(connector.Payload(state, hashed, create: true)));
        }

        Assert.Contains("\"973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b\"", Json(connectors[1].Payload(state, hashed, create: false)), StringComparison.Ordinal);
    }

    private static GoogleAdsConnector Google { get; } = new(NoHttp, TimeProvider.System);

    private static string Json(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
