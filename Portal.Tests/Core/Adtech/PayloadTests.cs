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

    [Fact]
    public void Meta_CreateThenAdd_AreTheMarketingApiShapes()
    {
        var state = State("demo_audience:\n  description: d\n  source: {endpoint: x}\n  meta:\n    name: Demo on Meta\n");
        var meta = new MetaConnector(NoHttp, TimeProvider.System);
        Assert.Equal("""{"name":"Demo on Meta","description":"d","subtype":"CUSTOM","customer_file_source":"USER_PROVIDED_ONLY"}""", Json(meta.Payload(state, [], create: true)));
        Assert.Equal("""{"payload":{"schema":["EMAIL","PHONE","ZIP"],"data":[["e1","p1","z1"],["e2","",""]]}}""", Json(meta.Payload(state, [Full, EmailOnly], create: false)));
        Assert.Equal(PhoneFormat.DigitsOnly, meta.Normalization.Phone);
        Assert.Equal(10_000, meta.BatchSize);
    }

    private static string Json(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
