using System.Text;
using System.Text.Json;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// A Google Customer Match list kept in sync: each batch its own offline user data job of one kind of operation
/// (removes, then adds), run and polled to its end; pinned on Google's real host, and synced against the sandbox.
/// </summary>
public sealed class GoogleAdsMirrorTargetTests : SandboxSyncTest
{
    private const string Yaml = "g:\n  description: d\n  country: IN\n  source: {endpoint: g/}\n  googleAds:\n    name: G\n";
    private const string Job = "customers/1234567890/offlineUserDataJobs/9";

    private static AudienceState State() => AudienceStateParser.Parse("g.yml", Yaml).State!;

    private static GoogleAdsConnector Connector(HttpMessageHandler? handler = null) =>
        new(new AdtechHttp(handler is null ? new HttpClient() : new HttpClient(handler), new AdtechRetryOptions { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 },
            TimeProvider.System), TimeProvider.System, new GoogleAdsOptions { JobPollSeconds = 0.01 });

    private static AdtechHttp Http(HttpMessageHandler? handler = null) =>
        new(handler is null ? new HttpClient() : new HttpClient(handler), new AdtechRetryOptions { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 }, TimeProvider.System);

    private AdtechConnection Sandbox() =>
        new(AdtechKeys.GoogleAds, new Uri(Server.GoogleAdsBaseUrl), "123-456-7890", Server.State.AccessToken) { DeveloperToken = Server.State.DeveloperToken };

    private static NormalizationOptions Normalization => new GoogleAdsConnector(null!, TimeProvider.System).Normalization(State().RequireCountry());

    [Theory]
    [InlineData("", 540)] // no life span set: Google's longest
    [InlineData("    membership_life_span: 90\n", 90)]
    [InlineData("    membership_life_span: 10000\n", 540)] // the former "no expiry", sent as 540
    public void MirrorTarget_ListLifeSpan_IsTheMembershipLifetimeASyncRefreshesBefore(string setting, int days)
    {
        var state = AudienceStateParser.Parse("g.yml", Yaml + setting).State!;

        var target = Connector().MirrorTarget(Sandbox(), state, "customers/1234567890/userLists/42");

        Assert.Equal(TimeSpan.FromDays(days), target.MembershipLifetime);
    }

    private async Task<string> CreateListAsync()
    {
        var outcome = await Connector().UploadAsync(State(), Sandbox(), AsyncEnumerable.Empty<Member>());
        Assert.True(outcome.Succeeded, outcome.Response.Message);
        Server.State.Jobs.Clear(); // the upload's own (empty) job
        return outcome.Id!;
    }

    private Task<MirrorSyncResult> SyncAsync(IEnumerable<Member> members, IMirrorTarget target) => SyncAsync(AdtechKeys.GoogleAds, members, Normalization, target);

    /// <summary>The sandbox's keys of the users the members' create operations send.</summary>
    private static HashSet<UInt128> Expected(IEnumerable<Member> members)
    {
        var stats = new HashStats();
        return [.. members.Select(m => stats.Hash(m, Normalization)).Where(h => !h.IsEmpty).Select(h => SandboxMembers.RowKey(h.Emails, h.Phones, []))];
    }

    /// <summary>The sandbox's jobs in the order they were opened, as (operation, status).</summary>
    private List<(string?, string)> Jobs() =>
        [.. Server.State.Jobs.OrderBy(j => j.Key.Length).ThenBy(j => j.Key, StringComparer.Ordinal).Select(j => (j.Value.Operation, j.Value.Status))];

    [Fact]
    public async Task Sync_MembersChangedBetweenSyncs_ListHoldsExactlyTheNewMembersThroughARemovesJobThenAnAddsJob()
    {
        var list = await CreateListAsync();
        var target = new GoogleAdsMirrorTarget(Connector(), Http(), Sandbox(), list);
        var before = Enumerable.Range(0, 300).Select(MirrorMembers.Numbered).ToList();
        var after = Enumerable.Range(100, 300).Select(MirrorMembers.Numbered).ToList();
        Assert.Equal(MirrorSyncOutcome.Synced, (await SyncAsync(before, target)).Outcome);
        Assert.Equal([("create", "SUCCESS")], Jobs());
        Server.State.Jobs.Clear();

        var second = await SyncAsync(after, target);

        Assert.Equal((MirrorSyncOutcome.Synced, 100L, 100L, 200L), (second.Outcome, second.Removed, second.Added, second.Unchanged));
        Assert.Equal([("remove", "SUCCESS"), ("create", "SUCCESS")], Jobs());
        Assert.Equal(Expected(after), Server.State.Members.Of(list));
        Assert.Equal(300, Server.State.AudienceMembers[list]);
    }

    [Fact]
    public async Task Sync_RemovesJobFails_NothingIsAddedAndTheNextSyncFinishes()
    {
        var list = await CreateListAsync();
        var target = new GoogleAdsMirrorTarget(Connector(), Http(), Sandbox(), list);
        await SyncAsync(Enumerable.Range(0, 20).Select(MirrorMembers.Numbered), target);
        var after = Enumerable.Range(10, 20).Select(MirrorMembers.Numbered).ToList();
        Server.State.NextJobFailure = "PROCESSING_ERROR";

        var failed = await SyncAsync(after, target);
        var resumed = await SyncAsync(after, target);

        Assert.Equal((MirrorSyncOutcome.Failed, 0L), (failed.Outcome, failed.Added));
        Assert.Contains("PROCESSING_ERROR", failed.LastAnswer!.Message, StringComparison.Ordinal);
        Assert.Equal((MirrorSyncOutcome.Synced, 10L, 10L), (resumed.Outcome, resumed.Removed, resumed.Added));
        Assert.Equal(Expected(after), Server.State.Members.Of(list));
    }

    [Fact]
    public async Task RemoveAllAsync_ListWithMembers_JobOfRemoveAllEmptiesIt()
    {
        var list = await CreateListAsync();
        var target = new GoogleAdsMirrorTarget(Connector(), Http(), Sandbox(), list);
        var members = Enumerable.Range(0, 30).Select(MirrorMembers.Numbered).ToList();
        await SyncAsync(members, target);

        var answer = await target.RemoveAllAsync();

        Assert.True(answer.Accepted, answer.Message);
        Assert.Empty(Server.State.Members.Of(list));
        Assert.Equal(0, Server.State.AudienceMembers[list]);
        Assert.Contains(("removeAll", "SUCCESS"), Jobs());
    }

    [Fact]
    public async Task RemoveAllAsync_OnGooglesRealHost_SendsAJobOfOneRemoveAllOperation()
    {
        var handler = new RecordingHandler(GoogleAnswer);
        var connection = new AdtechConnection(AdtechKeys.GoogleAds, new Uri("https://googleads.googleapis.com/"), "123-456-7890", "token") { DeveloperToken = "dev" };
        var target = new GoogleAdsMirrorTarget(Connector(handler), Http(handler), connection, "customers/1234567890/userLists/42");

        Assert.True((await target.RemoveAllAsync()).Accepted);

        Assert.Equal([":create", ":addOperations", ":run", ":search"], handler.Requests.Select(r => r.Url[r.Url.LastIndexOf(':')..]));
        Assert.Equal("""{"operations":[{"removeAll":true}]}""", handler.Requests[1].Body);
    }

    [Theory]
    [InlineData("create|remove")] // two requests to one job
    [InlineData("create,remove")] // one request
    public async Task Sandbox_JobMixingCreateAndRemove_RefusedWithConflictingOperation(string requests)
    {
        var list = await CreateListAsync();
        using var http = new HttpClient { BaseAddress = new Uri(Server.GoogleAdsBaseUrl) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Server.State.AccessToken);
        http.DefaultRequestHeaders.Add("developer-token", Server.State.DeveloperToken);
        var opened = await http.PostAsync("v24/customers/1234567890/offlineUserDataJobs:create",
            new ByteArrayContent(GoogleAdsConnector.JobPayload(list, null)) { Headers = { ContentType = new("application/json") } });
        var job = JsonDocument.Parse(await opened.Content.ReadAsStringAsync()).RootElement.GetProperty("resourceName").GetString();
        HttpResponseMessage? last = null;
        foreach (var kinds in requests.Split('|'))
        {
            var operations = kinds.Split(',').Select(kind => $$$"""{"{{{kind}}}":{"userIdentifiers":[{"hashedEmail":"{{{new string('a', 64)}}}"}]}}""");
            last = await http.PostAsync($"v24/{job}:addOperations",
                new StringContent($$"""{"enablePartialFailure":true,"operations":[{{string.Join(',', operations)}}]}""", Encoding.UTF8, "application/json"));
        }

        Assert.Equal(400, (int)last!.StatusCode);
        var error = JsonDocument.Parse(await last.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("CONFLICTING_OPERATION", error.GetProperty("details")[0].GetProperty("errors")[0].GetProperty("errorCode").GetProperty("offlineUserDataJobError").GetString());
    }

    /// <summary>Google's answers on its real host: the job's resource name, an empty addOperations answer, the run's operation, SUCCESS.</summary>
    private static (int, string) GoogleAnswer(RecordedRequest request) => request.Url switch
    {
        var u when u.EndsWith("/offlineUserDataJobs:create", StringComparison.Ordinal) => (200, $$"""{"resourceName":"{{Job}}"}"""),
        var u when u.EndsWith(":run", StringComparison.Ordinal) => (200, """{"name":"customers/1234567890/operations/9"}"""),
        var u when u.EndsWith("/googleAds:search", StringComparison.Ordinal) =>
            (200, $$$"""{"results":[{"offlineUserDataJob":{"resourceName":"{{{Job}}}","status":"SUCCESS"}}]}"""),
        _ => (200, "{}"),
    };

    [Theory]
    [InlineData("remove")]
    [InlineData("create")]
    public async Task Batch_OnGooglesRealHost_OpensAJobAddsOneKindOfOperationRunsItAndPollsIt(string operation)
    {
        var handler = new RecordingHandler(GoogleAnswer);
        var connection = new AdtechConnection(AdtechKeys.GoogleAds, new Uri("https://googleads.googleapis.com/"), "123-456-7890", "token") { DeveloperToken = "dev" };
        var target = new GoogleAdsMirrorTarget(Connector(handler), Http(handler), connection, "customers/1234567890/userLists/42");
        var member = new HashStats().Hash(new Member(["a@example.com"], ["+91 9812345678"], []), Normalization);

        var answer = operation == "remove" ? await target.RemoveAsync([member], default) : await target.AddAsync([member], default);

        Assert.True(answer.Accepted, answer.Message);
        const string Api = "https://googleads.googleapis.com/v24/";
        Assert.Equal(
            [$"{Api}customers/1234567890/offlineUserDataJobs:create", $"{Api}{Job}:addOperations", $"{Api}{Job}:run", $"{Api}customers/1234567890/googleAds:search"],
            handler.Requests.Select(r => r.Url));
        Assert.All(handler.Requests, r => Assert.Equal("POST", r.Method));
        Assert.Equal(
            "{\"enablePartialFailure\":true,\"operations\":[{\"" + operation + "\":{\"userIdentifiers\":[{\"hashedEmail\":\"" + MemberNormalizer.Sha256Hex("a@example.com")
                + "\"},{\"hashedPhoneNumber\":\"" + MemberNormalizer.Sha256Hex("+919812345678") + "\"}]}}]}",
            handler.Requests[1].Body);
        Assert.Contains("\"userList\":\"customers/1234567890/userLists/42\"", handler.Requests[0].Body, StringComparison.Ordinal);
    }
}
