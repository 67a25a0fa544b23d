using System.Text;
using System.Text.Json;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Sandbox;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>
/// A Meta custom audience kept in sync: adds (POST /users), removes (DELETE /users, the same body) and the replace
/// session (POST /usersreplace) pinned on Graph's real host, and syncs against the sandbox on a real loopback server.
/// </summary>
public sealed class MetaMirrorTargetTests : SandboxSyncTest
{
    private const string Yaml = "m:\n  description: d\n  country: IN\n  source: {endpoint: x}\n  meta:\n    name: M\n";
    private const string Audience = "23850000000001";

    private readonly MetaConnector _connector = new(Http(), TimeProvider.System);
    private static AudienceState State() => AudienceStateParser.Parse("m.yml", Yaml).State!;

    private static AdtechRetryOptions Retry { get; } = new() { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 };

    private static AdtechHttp Http(HttpMessageHandler? handler = null) =>
        new(handler is null ? new HttpClient() : new HttpClient(handler), Retry, TimeProvider.System);

    private static MetaMirrorTarget Target(MetaConnector connector, AdtechConnection connection, string id, HttpMessageHandler? handler = null) =>
        new(connector, Http(handler), connection, State(), id);

    private AdtechConnection Sandbox() => new(AdtechKeys.Meta, new Uri(Server.MetaBaseUrl), "act_77", Server.State.AccessToken);

    private NormalizationOptions Normalization => _connector.Normalization(State().RequireCountry());

    private static Member Numbered(int i) => MirrorMembers.Numbered(i);

    private async Task<string> CreateAudienceAsync()
    {
        var outcome = await _connector.UploadAsync(State(), Sandbox(), AsyncEnumerable.Empty<Member>());
        Assert.True(outcome.Succeeded, outcome.Response.Message);
        return outcome.Id!;
    }

    private Task<MirrorSyncResult> SyncAsync(IEnumerable<Member> members, IMirrorTarget target) => SyncAsync(AdtechKeys.Meta, members, Normalization, target);

    /// <summary>The sandbox's keys of the rows the members' adds send (what the audience should hold).</summary>
    private HashSet<UInt128> ExpectedRows(IEnumerable<Member> members)
    {
        var stats = new HashStats();
        var hashed = members.Select(m => stats.Hash(m, Normalization)).Where(h => !h.IsEmpty).ToList();
        using var body = JsonDocument.Parse(_connector.Payload(State(), hashed, create: false));
        return [.. body.RootElement.GetProperty("payload").GetProperty("data").EnumerateArray().Select(row =>
            SandboxMembers.RowKey(Column(row, 0), Column(row, 1), Column(row, 2)))];
    }

    private static string[] Column(JsonElement row, int index) => row[index].GetString() is { Length: > 0 } value ? [value] : [];

    [Fact]
    public async Task Sync_MembersChangedBetweenSyncs_SandboxAudienceHoldsExactlyTheNewMembersUnderTheSameId()
    {
        var id = await CreateAudienceAsync();
        var target = Target(_connector, Sandbox(), id);
        var before = Enumerable.Range(0, 300).Select(Numbered).ToList();
        var after = Enumerable.Range(100, 300).Select(Numbered).ToList(); // 0–99 left, 300–399 joined

        var first = await SyncAsync(before, target);
        var second = await SyncAsync(after, target);

        Assert.Equal((MirrorSyncOutcome.Synced, 300L), (first.Outcome, first.Added));
        Assert.Equal((MirrorSyncOutcome.Synced, 100L, 100L, 200L), (second.Outcome, second.Removed, second.Added, second.Unchanged));
        Assert.Equal(ExpectedRows(after), Server.State.Members.Of(id));
        Assert.Equal(300, Server.State.AudienceMembers[id]);
        Assert.Equal(100, Server.State.Calls.Where(c => c.Api == "meta:remove" && c.AudienceId == id).Sum(c => c.Members));
    }

    [Fact]
    public async Task RemoveAsync_ThrottledThenServerError_DeleteRetriedUntilTheRowsAreRemoved()
    {
        var id = await CreateAudienceAsync();
        var target = Target(_connector, Sandbox(), id);
        var members = Enumerable.Range(0, 3).Select(Numbered).ToList();
        await SyncAsync(members, target);
        Server.State.Faults.Enqueue(SandboxFault.MetaThrottled($"/{id}/users", 80003));
        Server.State.Faults.Enqueue(new SandboxFault($"/{id}/users", 503));

        var answer = await target.RemoveAsync(Hashed([.. members]), default);

        Assert.True(answer.Accepted, answer.Message);
        Assert.Empty(Server.State.Members.Of(id));
        Assert.Empty(Server.State.Faults);
    }

    [Fact]
    public async Task RemoveAsync_RefusedWith400_IsFinalAndNotAccepted()
    {
        var id = await CreateAudienceAsync();
        var target = Target(_connector, Sandbox(), id);
        Server.State.Faults.Enqueue(new SandboxFault($"/{id}/users", 400));

        var answer = await target.RemoveAsync(Hashed(Numbered(1)), default);

        Assert.Equal((false, 400), (answer.Accepted, answer.Status));
        Assert.DoesNotContain(Server.State.Calls, c => c.Api == "meta:remove");
    }

    [Fact]
    public async Task ReplaceAsync_TwoBatchSession_SandboxAudienceHoldsExactlyTheReplacingMembers()
    {
        var id = await CreateAudienceAsync();
        var target = Target(_connector, Sandbox(), id);
        await SyncAsync(Enumerable.Range(0, 500).Select(Numbered), target);
        var replacing = Enumerable.Range(10_000, target.BatchSize + 5).Select(Numbered).ToList();

        var answer = await target.ReplaceAsync(replacing.ToAsyncEnumerable());

        Assert.True(answer.Accepted, answer.Message);
        Assert.Equal(ExpectedRows(replacing), Server.State.Members.Of(id));
        Assert.Equal(replacing.Count, Server.State.AudienceMembers[id]);
        Assert.Equal(2, Server.State.Calls.Count(c => c.Api == "meta:replace" && c.AudienceId == id));
    }

    [Fact]
    public async Task ReplaceAsync_BatchRefused_SandboxAudienceKeepsItsMembers()
    {
        var id = await CreateAudienceAsync();
        var target = Target(_connector, Sandbox(), id);
        var kept = Enumerable.Range(0, 50).Select(Numbered).ToList();
        await SyncAsync(kept, target);
        Server.State.Faults.Enqueue(new SandboxFault($"/{id}/usersreplace", 400));

        var answer = await target.ReplaceAsync(Enumerable.Range(1_000, 10).Select(Numbered).ToAsyncEnumerable());

        Assert.False(answer.Accepted);
        Assert.Equal(ExpectedRows(kept), Server.State.Members.Of(id));
    }

    /// <summary>Graph's answer to a users call: Meta's counts as numeric strings.</summary>
    private static (int, string) GraphAnswer(RecordedRequest request) =>
        (200, "{\"audience_id\":\"" + Audience + "\",\"num_received\":\"1\",\"num_invalid_entries\":\"0\",\"invalid_entry_samples\":{}}");

    private static readonly AdtechConnection Graph = new(AdtechKeys.Meta, new Uri("https://graph.facebook.com/"), "act_1234", "token");

    private HashedMember[] Hashed(params Member[] members)
    {
        var stats = new HashStats();
        return [.. members.Select(m => stats.Hash(m, Normalization))];
    }

    [Fact]
    public async Task AddAndRemove_OnGraphsRealHost_PostAndDeleteTheUsersPathWithTheSameSchemaAndHashedRows()
    {
        var handler = new RecordingHandler(GraphAnswer);
        var target = Target(_connector, Graph, Audience, handler);
        var batch = Hashed(new Member(["a@example.com"], ["+91 9812345678"], ["560001"]));

        Assert.True((await target.AddAsync(batch, default)).Accepted);
        Assert.True((await target.RemoveAsync(batch, default)).Accepted);

        var url = $"https://graph.facebook.com/v25.0/{Audience}/users";
        Assert.Equal([$"POST {url}", $"DELETE {url}"], handler.Requests.Select(r => $"{r.Method} {r.Url}"));
        var expected = "{\"payload\":{\"schema\":[\"EMAIL\",\"PHONE\",\"ZIP\",\"COUNTRY\"],\"data\":[[\""
            + string.Join("\",\"", MemberNormalizer.Sha256Hex("a@example.com"), MemberNormalizer.Sha256Hex("919812345678"),
                MemberNormalizer.Sha256Hex("560001"), MemberNormalizer.Sha256Hex("in")) + "\"]]}}";
        Assert.All(handler.Requests, r => Assert.Equal(expected, r.Body));
        Assert.All(handler.Requests, r => Assert.Equal("Bearer token", r.Headers["Authorization"]));
    }

    [Fact]
    public async Task ReplaceAsync_OnGraphsRealHost_PostsUsersreplaceBatchesOfOneSessionTheLastFlagged()
    {
        var handler = new RecordingHandler(GraphAnswer);
        var target = Target(_connector, Graph, Audience, handler);
        var members = Enumerable.Range(0, target.BatchSize + 1).Select(Numbered).ToAsyncEnumerable();

        Assert.True((await target.ReplaceAsync(members)).Accepted);

        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal($"POST https://graph.facebook.com/v25.0/{Audience}/usersreplace", $"{r.Method} {r.Url}"));
        var sessions = handler.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(sessions[0].GetProperty("session").GetProperty("session_id").GetInt64(), sessions[1].GetProperty("session").GetProperty("session_id").GetInt64());
        Assert.Equal([(1, false, 2_000), (2, true, 1)], sessions.Select(s => (s.GetProperty("session").GetProperty("batch_seq").GetInt32(),
            s.GetProperty("session").GetProperty("last_batch_flag").GetBoolean(), s.GetProperty("payload").GetProperty("data").GetArrayLength())));
        Assert.Equal(["EMAIL", "PHONE", "ZIP", "COUNTRY"], sessions[0].GetProperty("payload").GetProperty("schema").EnumerateArray().Select(c => c.GetString()));
    }

    [Theory]
    [InlineData("DELETE", "users", """{"payload":{"schema":["EMAIL"]}}""", "payload.schema and payload.data are required")]
    [InlineData("POST", "usersreplace", """{"payload":{"schema":["EMAIL"],"data":[["x"]]}}""", "session is required")]
    [InlineData("POST", "usersreplace", """{"session":{"session_id":1,"batch_seq":0,"last_batch_flag":true},"payload":{"schema":["EMAIL"],"data":[]}}""", "batch_seq (from 1)")]
    public async Task Sandbox_BadUsersBody_RefusedWithGraphsInvalidParameterError(string method, string path, string body, string message)
    {
        var id = await CreateAudienceAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{Server.MetaBaseUrl}v25.0/{id}/{path}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", Server.State.AccessToken);

        using var response = await http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(100, error.GetProperty("code").GetInt32());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
