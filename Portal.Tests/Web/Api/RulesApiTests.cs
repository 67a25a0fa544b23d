using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Data;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Api;

public sealed class RulesApiTests(ApiWebFactory portal) : IClassFixture<ApiWebFactory>
{
    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)];

    /// <summary>A POST /rules body with conditions as a flat list.</summary>
    private static object SeedBody(string name) => new
    {
        rule_name = name,
        description = "Rule description",
        conditions = new object[] { new { field = "total_spend", @operator = ">", value = 100 } },
        schedule = "@daily",
        start_date = "2025-01-01T00:00:00Z",
        end_date = "2025-12-31T23:59:59Z",
    };

    /// <summary>A body with the versioned conditions object.</summary>
    private static object TreeBody(string name, string field = "city_tier", string op = "eq", params object[] values) => new
    {
        rule_name = name,
        conditions = new
        {
            version = 1,
            root = new
            {
                type = "group", id = "root", logic = "and",
                children = new object[] { new { type = "attribute", id = "c1", field, op, values = values.Length == 0 ? ["1"] : values } },
            },
        },
    };

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private static async Task<long> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/rules", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("rule_id").GetInt64();
    }

    [Fact]
    public async Task Create_SeedBody_Answers201WithTheRuleId()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var name = Unique("High value");

        var response = await client.PostAsJsonAsync("/api/rules", SeedBody(name));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("Rule created successfully", body.GetProperty("message").GetString());
        var id = body.GetProperty("rule_id").GetInt64();
        Assert.Equal($"/api/rules/{id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Get_CreatedRule_HasTheSeedFieldsAndTheStoredConditions()
    {
        var client = await portal.SignedInClientAsync(Roles.Admin);
        var name = Unique("Seed shape");
        var id = await CreateAsync(client, SeedBody(name));

        var rule = await client.GetFromJsonAsync<JsonElement>($"/api/rules/{id}");

        Assert.Equal(id, rule.GetProperty("id").GetInt64());
        Assert.Equal(name, rule.GetProperty("rule_name").GetString());
        Assert.Equal("Rule description", rule.GetProperty("description").GetString());
        Assert.Equal("@daily", rule.GetProperty("schedule").GetString());
        Assert.Equal(new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), rule.GetProperty("start_date").GetDateTime().ToUniversalTime());
        Assert.Equal(new DateTime(2025, 12, 31, 23, 59, 59, DateTimeKind.Utc), rule.GetProperty("end_date").GetDateTime().ToUniversalTime());
        Assert.Equal(0, rule.GetProperty("depends_on").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rule.GetProperty("operation").ValueKind);
        Assert.Equal(1, rule.GetProperty("version").GetInt32());
        Assert.Equal("never_run", rule.GetProperty("last_result").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, rule.GetProperty("next_run").ValueKind);
        var conditions = rule.GetProperty("conditions");
        Assert.Equal(1, conditions.GetProperty("version").GetInt32());
        var spend = conditions.GetProperty("root").GetProperty("children")[0];
        Assert.Equal(("aggregate", "sum", "gt", "100"),
            (spend.GetProperty("type").GetString(), spend.GetProperty("function").GetString(), spend.GetProperty("op").GetString(), spend.GetProperty("values")[0].GetString()));
    }

    [Fact]
    public async Task List_SecondPage_GivesItemsTotalPageAndPages()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var prefix = Unique("Paged");
        foreach (var letter in new[] { "c", "a", "b" })
        {
            await CreateAsync(client, TreeBody($"{prefix} {letter}"));
        }

        var viewer = await portal.SignedInClientAsync(Roles.Viewer);
        var page = await viewer.GetFromJsonAsync<JsonElement>($"/api/rules?page=2&per_page=2&search={Uri.EscapeDataString(prefix)}");
        var all = await viewer.GetFromJsonAsync<JsonElement>($"/api/rules?search={Uri.EscapeDataString(prefix)}");

        Assert.Equal((3, 2, 2), (page.GetProperty("total").GetInt32(), page.GetProperty("page").GetInt32(), page.GetProperty("pages").GetInt32()));
        Assert.Equal([$"{prefix} c"], page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("rule_name").GetString()));
        Assert.Equal([$"{prefix} a", $"{prefix} b", $"{prefix} c"], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("rule_name").GetString()));
        Assert.Equal((1, 1), (all.GetProperty("page").GetInt32(), all.GetProperty("pages").GetInt32()));
        var item = all.GetProperty("items")[0];
        foreach (var field in new[] { "id", "description", "schedule", "depends_on", "operation" })
        {
            Assert.True(item.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task Get_UnknownRule_Answers404()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/rules/999999")).StatusCode);
    }

    [Fact]
    public async Task Create_InvalidConditions_Answers400WithEachIssueOnItsCondition()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        var unknownField = await client.PostAsJsonAsync("/api/rules", TreeBody(Unique("Bad"), "shoe_size", "eq", "42"));
        var notANumber = await client.PostAsJsonAsync("/api/rules", TreeBody(Unique("Bad"), "city_tier", "gt", "high"));
        var noName = await client.PostAsJsonAsync("/api/rules", TreeBody(""));

        foreach (var (response, conditionId, field) in new[] { (unknownField, "c1", "field"), (notANumber, "c1", "values[0]"), (noName, null, "rule_name") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var issue = Assert.Single((await JsonAsync(response)).GetProperty("issues").EnumerateArray());
            Assert.Equal(conditionId, issue.GetProperty("condition_id").GetString());
            Assert.Equal(field, issue.GetProperty("field").GetString());
            Assert.False(string.IsNullOrWhiteSpace(issue.GetProperty("message").GetString()));
        }
    }

    [Fact]
    public async Task Create_UnreadableConditionsOrOperation_Answers400SayingWhere()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);

        var badOperator = await client.PostAsJsonAsync("/api/rules", new
        {
            rule_name = Unique("Bad"),
            conditions = new object[] { new { field = "total_spend", @operator = "~", value = 1 } },
        });
        var badOperation = await client.PostAsJsonAsync("/api/rules", new { rule_name = Unique("Bad"), conditions = Array.Empty<object>(), operation = "XOR" });
        var missing = await client.PostAsJsonAsync("/api/rules", new { rule_name = Unique("Bad") });

        Assert.Equal("conditions[0].operator", (await JsonAsync(badOperator)).GetProperty("issues")[0].GetProperty("field").GetString());
        Assert.Equal("operation", (await JsonAsync(badOperation)).GetProperty("issues")[0].GetProperty("field").GetString());
        Assert.Equal("conditions", (await JsonAsync(missing)).GetProperty("issues")[0].GetProperty("field").GetString());
        Assert.All([badOperator, badOperation, missing], r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
    }

    [Fact]
    public async Task Create_DuplicateName_Answers409()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var name = Unique("Twice");
        await CreateAsync(client, SeedBody(name));

        var response = await client.PostAsJsonAsync("/api/rules", SeedBody(name));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("already exists", (await JsonAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_ValidBody_Answers200AndChangesTheRule()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var id = await CreateAsync(client, SeedBody(Unique("Before")));
        var renamed = Unique("After");

        var response = await client.PutAsJsonAsync($"/api/rules/{id}", TreeBody(renamed, "city_tier", "in", "1", "2"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Rule updated successfully", (await JsonAsync(response)).GetProperty("message").GetString());
        var rule = await client.GetFromJsonAsync<JsonElement>($"/api/rules/{id}");
        Assert.Equal((renamed, 2), (rule.GetProperty("rule_name").GetString(), rule.GetProperty("version").GetInt32()));
        Assert.Equal("in", rule.GetProperty("conditions").GetProperty("root").GetProperty("children")[0].GetProperty("op").GetString());
    }

    [Fact]
    public async Task Update_StaleVersionOrTakenName_Answers409()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var taken = Unique("Taken");
        await CreateAsync(client, SeedBody(taken));
        var name = Unique("Edited");
        var id = await CreateAsync(client, SeedBody(name));
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/rules/{id}", SeedBody(name))).StatusCode);

        var stale = await client.PutAsJsonAsync($"/api/rules/{id}", new { rule_name = name, conditions = new object[] { new { field = "city_tier", @operator = "=", value = 1 } }, version = 1 });
        var renamed = await client.PutAsJsonAsync($"/api/rules/{id}", SeedBody(taken));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("version", (await JsonAsync(stale)).GetProperty("issues")[0].GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.Conflict, renamed.StatusCode);
    }

    [Fact]
    public async Task Update_UnknownRule_Answers404()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync("/api/rules/999999", SeedBody(Unique("Ghost")))).StatusCode);
    }

    [Fact]
    public async Task Delete_UnusedRule_Answers200AndItIsGone()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var id = await CreateAsync(client, SeedBody(Unique("Doomed")));

        var response = await client.DeleteAsync($"/api/rules/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/rules/{id}")).StatusCode);
    }

    [Fact]
    public async Task Delete_RuleAnotherDependsOn_Answers409WithWhereUsed()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var parent = await CreateAsync(client, SeedBody(Unique("Parent")));
        var childName = Unique("Child");
        var child = await CreateAsync(client, new
        {
            rule_name = childName,
            conditions = new object[] { new { field = "city_tier", @operator = "=", value = 1 } },
            depends_on = new[] { parent },
            operation = "INTERSECTION",
        });

        var response = await client.DeleteAsync($"/api/rules/{parent}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var user = Assert.Single((await JsonAsync(response)).GetProperty("where_used").GetProperty("rules").EnumerateArray());
        Assert.Equal((child, childName), (user.GetProperty("id").GetInt64(), user.GetProperty("rule_name").GetString()));
        var stored = await client.GetFromJsonAsync<JsonElement>($"/api/rules/{child}");
        Assert.Equal(("INTERSECTION", parent), (stored.GetProperty("operation").GetString(), stored.GetProperty("depends_on")[0].GetInt64()));
    }

    [Fact]
    public async Task Trigger_Rule_Answers202AndQueuesTheRefreshJob()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var id = await CreateAsync(client, SeedBody(Unique("Triggered")));

        var response = await client.PostAsync($"/api/rules/{id}/trigger", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("Rule trigger has been scheduled", body.GetProperty("message").GetString());
        var jobId = body.GetProperty("job_id").GetInt64();
        Assert.Equal($"/api/jobs/{jobId}", response.Headers.Location?.OriginalString);
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
        Assert.Equal("segments.refresh", job.Kind);
        Assert.Equal(id, JsonDocument.Parse(job.Payload!).RootElement.GetProperty("rule").GetInt64());
        Assert.StartsWith("marketer-", job.RequestedBy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trigger_UnknownRule_Answers404()
    {
        var client = await portal.SignedInClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/rules/999999/trigger", null)).StatusCode);
    }

    [Fact]
    public async Task Viewer_ReadingAndWriting_ReadsButIsForbiddenToWrite()
    {
        var marketer = await portal.SignedInClientAsync(Roles.Marketer);
        var id = await CreateAsync(marketer, SeedBody(Unique("Viewed")));
        var viewer = await portal.SignedInClientAsync(Roles.Viewer);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/rules")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/rules", SeedBody(Unique("Nope")))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync($"/api/rules/{id}", SeedBody(Unique("Nope")))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/rules/{id}/trigger", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/rules/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/rules")]
    [InlineData("GET", "/api/rules/1")]
    [InlineData("POST", "/api/rules")]
    [InlineData("PUT", "/api/rules/1")]
    [InlineData("DELETE", "/api/rules/1")]
    [InlineData("POST", "/api/rules/1/trigger")]
    public async Task Rules_SignedOut_Answers401(string method, string path)
    {
        var client = await portal.ReadyClientAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = JsonContent.Create(SeedBody("Anonymous"));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
    }

    /// <summary>A rule of email-domain conditions (unique domains, so no other test's rule matches), OR-ed.</summary>
    private static object DomainsBody(string name, bool? reuseSegments, params string[] domains) => new
    {
        rule_name = name,
        reuse_segments = reuseSegments,
        conditions = new
        {
            version = 1,
            root = new
            {
                type = "group", id = "root", logic = "or",
                children = domains.Select((d, i) => (object)new { type = "attribute", id = $"c{i + 1}", field = "email_domain", op = "eq", values = new[] { d } }).ToArray(),
            },
        },
    };

    private static string Domain() => $"{Guid.NewGuid():N}.example";

    private static bool IsAbsent(JsonElement body, string property) =>
        !body.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null;

    [Fact]
    public async Task Create_ReuseSegmentsTrue_SavesTheFindersPlanAndSaysWhatItApplied()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var (reused, other) = (Domain(), Domain());
        var baseId = await CreateAsync(client, DomainsBody(Unique("Base"), null, reused));

        var response = await client.PostAsJsonAsync("/api/rules", DomainsBody(Unique("Combined"), true, reused, other));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        var applied = body.GetProperty("reused_segment");
        Assert.Equal((baseId, "UNION", 1, 1), (applied.GetProperty("rule_id").GetInt64(), applied.GetProperty("operation").GetString(),
            applied.GetProperty("covered_conditions").GetInt32(), applied.GetProperty("remaining_conditions").GetInt32()));
        var rule = await client.GetFromJsonAsync<JsonElement>($"/api/rules/{body.GetProperty("rule_id").GetInt64()}");
        Assert.Equal([baseId], rule.GetProperty("depends_on").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal("UNION", rule.GetProperty("operation").GetString());
        var remaining = Assert.Single(rule.GetProperty("conditions").GetProperty("root").GetProperty("children").EnumerateArray());
        Assert.Equal(("c2", other), (remaining.GetProperty("id").GetString(), remaining.GetProperty("values")[0].GetString()));
    }

    [Fact]
    public async Task Create_ReuseSegmentsFalse_SavesTheConditionsAsGiven()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var reused = Domain();
        await CreateAsync(client, DomainsBody(Unique("Base"), null, reused));

        var response = await client.PostAsJsonAsync("/api/rules", DomainsBody(Unique("As given"), false, reused, Domain()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.True(IsAbsent(body, "reused_segment"));
        var rule = await client.GetFromJsonAsync<JsonElement>($"/api/rules/{body.GetProperty("rule_id").GetInt64()}");
        Assert.Empty(rule.GetProperty("depends_on").EnumerateArray());
        Assert.True(IsAbsent(rule, "operation"));
        Assert.Equal(2, rule.GetProperty("conditions").GetProperty("root").GetProperty("children").GetArrayLength());
    }

    [Fact]
    public async Task Update_ReuseSegmentsTrue_AppliesThePlanButNeverTheRulesOwnSegment()
    {
        var client = await portal.SignedInClientAsync(Roles.Marketer);
        var (reused, other) = (Domain(), Domain());
        var baseId = await CreateAsync(client, DomainsBody(Unique("Base"), null, reused));
        var name = Unique("Later combined");
        var id = await CreateAsync(client, DomainsBody(name, null, other, Domain()));

        var response = await client.PutAsJsonAsync($"/api/rules/{id}", DomainsBody(name, true, other, reused));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(baseId, (await JsonAsync(response)).GetProperty("reused_segment").GetProperty("rule_id").GetInt64());
        var rule = await client.GetFromJsonAsync<JsonElement>($"/api/rules/{id}");
        Assert.Equal([baseId], rule.GetProperty("depends_on").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal("c1", Assert.Single(rule.GetProperty("conditions").GetProperty("root").GetProperty("children").EnumerateArray()).GetProperty("id").GetString());
    }
}
