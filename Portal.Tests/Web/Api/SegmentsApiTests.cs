using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Rules;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Web.Api;

public sealed class SegmentsApiTests(ApiWebFactory portal) : IClassFixture<ApiWebFactory>
{
    private static readonly DateTime RefreshedAt = new(2025, 5, 4, 3, 0, 0, DateTimeKind.Utc);

    /// <summary>A rule (with its segment) holding the given customers, as a refresh would leave it.</summary>
    private async Task<(Rule Rule, long Segment)> SegmentAsync(string name, IReadOnlyList<long> members, RuleDraft? draft = null)
    {
        await portal.ReadyClientAsync();
        var result = await portal.Services.GetRequiredService<RuleService>().SaveAsync(null, draft ?? Draft(name), null, CoreHost.Marketer);
        Assert.True(result.Saved, string.Join("; ", result.Issues));
        var segment = await SegmentData.SegmentOfRuleAsync(portal.Services, result.Rule!.Id);
        await SegmentData.SetMembersAsync(portal.Services, segment, members, RefreshedAt, "SELECT user_id FROM users WHERE city_tier = @p0");
        return (result.Rule, segment);
    }

    private async Task CustomersAsync(long from, int count)
    {
        // The tables exist only once start-up has migrated the database.
        await portal.ReadyClientAsync();
        await SegmentData.AddCustomersAsync(portal.Services, Enumerable.Range(0, count).Select(i => from + i));
    }

    [Fact]
    public async Task List_Paged_GivesSegmentsWithRowsRefreshAndRule()
    {
        await CustomersAsync(1000, 5);
        var prefix = $"Listed {Guid.NewGuid():N}"[..15];
        var (rule, segment) = await SegmentAsync($"{prefix} a", [1000, 1001, 1002]);
        await SegmentAsync($"{prefix} b", [1003]);
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var first = await client.GetFromJsonAsync<JsonElement>($"/api/segments?page=1&per_page=1&search={Uri.EscapeDataString(prefix)}");

        Assert.Equal((2, 1, 2), (first.GetProperty("total").GetInt32(), first.GetProperty("page").GetInt32(), first.GetProperty("pages").GetInt32()));
        var item = Assert.Single(first.GetProperty("items").EnumerateArray());
        Assert.Equal((segment, $"{prefix} a", 3L), (item.GetProperty("id").GetInt64(), item.GetProperty("segment_name").GetString(), item.GetProperty("row_count").GetInt64()));
        Assert.Equal(RefreshedAt, item.GetProperty("last_refreshed_at").GetDateTime().ToUniversalTime());
        Assert.Equal((rule.Id, rule.Name), (item.GetProperty("rule").GetProperty("id").GetInt64(), item.GetProperty("rule").GetProperty("rule_name").GetString()));
        Assert.Equal("fresh", item.GetProperty("status").GetString());
        Assert.False(item.TryGetProperty("history", out _));
    }

    [Fact]
    public async Task Get_CombinedSegment_HasSeedFieldsDependsOnSqlAndHistory()
    {
        await CustomersAsync(2000, 3);
        var (parent, parentSegment) = await SegmentAsync($"Parent {Guid.NewGuid():N}"[..15], [2000, 2001]);
        var (child, segment) = await SegmentAsync($"Child {Guid.NewGuid():N}"[..14], [2000],
            Draft($"Child {Guid.NewGuid():N}"[..14]) with { DependsOn = [parent.Id], Operation = SetOperation.Intersection });
        await SegmentData.AddRefreshAsync(portal.Services, segment, RefreshedAt.AddDays(-1), null, "database is locked");
        await SegmentData.AddRefreshAsync(portal.Services, segment, RefreshedAt, 1);
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var body = await client.GetFromJsonAsync<JsonElement>($"/api/segments/{segment}");

        Assert.Equal((segment, child.Name, 1L), (body.GetProperty("id").GetInt64(), body.GetProperty("segment_name").GetString(), body.GetProperty("row_count").GetInt64()));
        Assert.Equal(RefreshedAt, body.GetProperty("last_refreshed_at").GetDateTime().ToUniversalTime());
        Assert.Equal((child.Id, child.Name), (body.GetProperty("rule").GetProperty("id").GetInt64(), body.GetProperty("rule").GetProperty("rule_name").GetString()));
        Assert.Equal("SELECT user_id FROM users WHERE city_tier = @p0", body.GetProperty("sql_query").GetString());
        Assert.Equal("INTERSECTION", body.GetProperty("operation").GetString());
        Assert.Equal(parentSegment, Assert.Single(body.GetProperty("depends_on").EnumerateArray()).GetProperty("id").GetInt64());
        var history = body.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal([(false, "database is locked"), (true, null)], history.Select(h => (h.GetProperty("succeeded").GetBoolean(), h.GetProperty("error").GetString())));
    }

    [Fact]
    public async Task SampleData_Segment_GivesColumnsAndOneRowPerMember()
    {
        await CustomersAsync(3000, 4);
        var (_, segment) = await SegmentAsync($"Sampled {Guid.NewGuid():N}"[..16], [3003, 3001]);
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var body = await client.GetFromJsonAsync<JsonElement>($"/api/segments/{segment}/sample_data");

        Assert.Equal(["user_id", "name", "email", "city", "city_tier"], body.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var rows = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal((3001L, "Customer 3001", "customer3001@example.com", "Pune", 2),
            (rows[0][0].GetInt64(), rows[0][1].GetString(), rows[0][2].GetString(), rows[0][3].GetString(), rows[0][4].GetInt32()));
        Assert.Equal(3003L, rows[1][0].GetInt64());
    }

    [Theory]
    [InlineData("/api/segments/999999")]
    [InlineData("/api/segments/999999/sample_data")]
    public async Task Get_UnknownSegment_Answers404(string path)
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
    }

    [Theory]
    [InlineData("/api/segments")]
    [InlineData("/api/segments/1")]
    [InlineData("/api/segments/1/sample_data")]
    [InlineData("/api/analytics/summary")]
    public async Task Segments_SignedOut_Answers401(string path)
    {
        var client = await portal.ReadyClientAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
    }
}
