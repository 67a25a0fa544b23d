using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Accounts;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Api;

/// <summary>Every paged route answers a page or size out of range, or not a whole number, with 400 naming the parameter.</summary>
public sealed class PagingTests(ApiWebFactory portal) : IClassFixture<ApiWebFactory>
{
    public static TheoryData<string, string> OutOfRange()
    {
        var data = new TheoryData<string, string>();
        foreach (var (route, size) in new[] { ("/api/rules", "per_page"), ("/api/segments", "per_page"), ("/api/uploads", "per_page"), ("/api/jobs", "per_page") })
        {
            foreach (var page in new[] { "0", "-1", "abc", "1.5", "2147483647", "99999999999" })
            {
                data.Add($"{route}?page={page}", "page");
            }

            foreach (var perPage in new[] { "0", "-5", "x", "100000", "2147483648" })
            {
                data.Add($"{route}?{size}={perPage}", size);
            }
        }

        data.Add("/api/rules?per_page=101", "per_page");
        data.Add("/api/jobs?per_page=101", "per_page");
        return data;
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task Get_PagingOutOfRange_Answers400NamingTheParameter(string url, string parameter)
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var message = Assert.Single(problem.GetProperty("errors").GetProperty(parameter).EnumerateArray()).GetString();
        Assert.StartsWith($"'{parameter}' must be a whole number from 1 to ", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/rules?page=3&per_page=100", 3, 100)]
    [InlineData("/api/segments?page=1&per_page=1", 1, 1)]
    [InlineData("/api/uploads?page=1000000", 1000000, 10)]
    [InlineData("/api/jobs?page=2&per_page=100", 2, 100)]
    [InlineData("/api/rules", 1, 10)]
    public async Task Get_PagingInRange_AnswersThatPage(string url, int page, int perPage)
    {
        var client = await portal.SignedInClientAsync(Roles.Viewer);

        var body = await client.GetFromJsonAsync<JsonElement>(url);

        Assert.Equal(page, body.GetProperty("page").GetInt32());
        Assert.True(body.GetProperty("items").GetArrayLength() <= perPage);
    }
}
