using System.Net;
using System.Text.Json;
using Portal.Core.Accounts;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Api;

public sealed class OpenApiTests(PortalWebFactory portal) : IClassFixture<PortalWebFactory>
{
    [Fact]
    public async Task Document_SignedIn_DescribesEveryApiRouteWithSummaryAndResponses()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var expected = new Dictionary<string, string[]>
        {
            ["/api/rules"] = ["get", "post"],
            ["/api/rules/{id}"] = ["get", "put", "delete"],
            ["/api/rules/{id}/trigger"] = ["post"],
            ["/api/segments"] = ["get"],
            ["/api/segments/{id}"] = ["get"],
            ["/api/segments/{id}/sample_data"] = ["get"],
            ["/api/analytics/summary"] = ["get"],
            ["/api/jobs"] = ["get", "post"],
            ["/api/jobs/{id}"] = ["get"],
            ["/api/me"] = ["get"],
            ["/api/uploads"] = ["get", "post"],
            ["/api/uploads/{id}"] = ["get"],
            ["/api/uploads/scan"] = ["post"],
            ["/api/datasets"] = ["get"],
            ["/api/datasets/{name}/health"] = ["get"],
            ["/api/campaigns/{id}"] = ["get"],
        };
        foreach (var (path, methods) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is in the document");
            foreach (var method in methods)
            {
                Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path}");
                Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{method} {path} has a summary");
                Assert.True(operation.GetProperty("responses").EnumerateObject().Any(r => r.Name.StartsWith('2')), $"{method} {path} has a success response");
                Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{method} {path} says it needs sign-in");
            }
        }

        Assert.DoesNotContain(paths.EnumerateObject(), p => !p.Name.StartsWith("/api/", StringComparison.Ordinal));
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.True(operation.Value.TryGetProperty("summary", out _), $"{operation.Name} {path.Name} has a summary");
            }
        }

        var post = paths.GetProperty("/api/rules").GetProperty("post");
        Assert.Equal(["201", "400", "401", "403", "409"], post.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        var trigger = paths.GetProperty("/api/rules/{id}/trigger").GetProperty("post").GetProperty("responses");
        Assert.True(trigger.TryGetProperty("202", out _) && trigger.TryGetProperty("404", out _));
        var list = paths.GetProperty("/api/rules").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString());
        Assert.Contains("per_page", list);
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var request = schemas.GetProperty("RuleRequest");
        Assert.True(request.GetProperty("properties").TryGetProperty("rule_name", out _));
        Assert.StartsWith("Cron", request.GetProperty("properties").GetProperty("schedule").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(["conditions", "rule_name"], request.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
    }

    [Fact]
    public async Task Document_StateChangingOperations_RequireTheRequestProofHeader()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        static bool HasProofHeader(JsonElement operation) => operation.TryGetProperty("parameters", out var parameters)
            && parameters.EnumerateArray().Any(p => p.GetProperty("name").GetString() == "X-Requested-With"
                && p.GetProperty("in").GetString() == "header" && p.GetProperty("required").GetBoolean());

        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var changes = operation.Name is "post" or "put" or "patch" or "delete";
                Assert.True(changes == HasProofHeader(operation.Value), $"{operation.Name} {path.Name}: the header is required exactly when it changes state");
                Assert.True(!changes || operation.Value.GetProperty("responses").TryGetProperty("403", out _), $"{operation.Name} {path.Name} says it can answer 403");
            }
        }

        Assert.Contains("X-Requested-With: portal", document.RootElement.GetProperty("info").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Document_JobStart_NamesTheKindsPeopleMayStartAndNoOther()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var post = document.RootElement.GetProperty("paths").GetProperty("/api/jobs").GetProperty("post");
        var kind = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema")
            .GetProperty("properties").GetProperty("kind");
        Assert.Equal(["audiences.catalog-run", "dashboard.recompute", "maintenance.retention", "uploads.drop-folder-scan"], kind.GetProperty("enum").EnumerateArray().Select(k => k.GetString()));
        Assert.DoesNotContain("uploads.dataset-import", post.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("`audiences.catalog-run` (Run the audience catalog): payload {\"audience\"", post.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(["201", "400", "401", "403"], post.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
    }

    [Fact]
    public async Task Document_RulesCreate_DocumentsReuseSegmentsAndWhatWasApplied()
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var post = document.RootElement.GetProperty("paths").GetProperty("/api/rules").GetProperty("post");
        Assert.Contains("`reuse_segments: true`", post.GetProperty("description").GetString(), StringComparison.Ordinal);
        var schema = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        if (schema.TryGetProperty("$ref", out var reference))
        {
            schema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        Assert.Contains("depends_on and operation set", schema.GetProperty("properties").GetProperty("reuse_segments").GetProperty("description").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Document_SignedOut_IsNotServed()
    {
        var client = await portal.ReadyClientAsync();

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }
}
