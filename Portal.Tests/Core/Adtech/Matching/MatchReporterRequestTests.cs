using System.Text.Json;
using Portal.Core.Adtech;
using Portal.Core.Adtech.Matching;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Matching;

/// <summary>
/// The report requests pinned against the real APIs' documented shapes, on their real hosts through a recording
/// handler: Meta's CustomAudience fields (facebook-python-business-sdk's <c>CustomAudience.Field</c>) and Google Ads'
/// <c>user_list</c> fields (google-ads-python's <c>UserList</c>: int64 sizes as JSON strings in REST).
/// </summary>
public sealed class MatchReporterRequestTests
{
    private static AdtechHttp Http(HttpMessageHandler handler) =>
        new(new HttpClient(handler), new AdtechRetryOptions { BaseDelaySeconds = 0.01, TimeoutSeconds = 5 }, TimeProvider.System);

    [Fact]
    public async Task Meta_Report_GetsTheAudiencesApproximateCountBounds()
    {
        var handler = new RecordingHandler(_ => (200, """{"approximate_count_lower_bound":"1000","approximate_count_upper_bound":1200,"id":"23850000000001"}"""));
        var connection = new AdtechConnection(AdtechKeys.Meta, new Uri("https://graph.facebook.com/"), "act_1234", "token");

        var report = await new MetaConnector(Http(handler), TimeProvider.System).ReportAsync(connection, "23850000000001", CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(("GET", "https://graph.facebook.com/v25.0/23850000000001?fields=approximate_count_lower_bound,approximate_count_upper_bound"),
            (request.Method, request.Url));
        Assert.Equal(new MatchReport(true, "Reported", null, 1000, 1200), report);
    }

    [Fact]
    public async Task GoogleAds_Report_SearchesTheUserListsSizesAndMatchRate()
    {
        var handler = new RecordingHandler(_ => (200,
            """{"results":[{"userList":{"resourceName":"customers/1234567890/userLists/42","sizeForDisplay":"1200","sizeForSearch":"900","matchRatePercentage":41}}],"fieldMask":"userList.resourceName,userList.sizeForDisplay,userList.sizeForSearch,userList.matchRatePercentage"}"""));
        var connection = new AdtechConnection(AdtechKeys.GoogleAds, new Uri("https://googleads.googleapis.com/"), "123-456-7890", "token") { DeveloperToken = "dev" };

        var report = await new GoogleAdsConnector(Http(handler), TimeProvider.System).ReportAsync(connection, "customers/1234567890/userLists/42", CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(("POST", "https://googleads.googleapis.com/v24/customers/1234567890/googleAds:search"), (request.Method, request.Url));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("SELECT user_list.resource_name, user_list.size_for_display, user_list.size_for_search, user_list.match_rate_percentage "
            + "FROM user_list WHERE user_list.resource_name = 'customers/1234567890/userLists/42'", Assert.Single(body.RootElement.EnumerateObject()).Value.GetString());
        Assert.Equal("dev", request.Headers["developer-token"]);
        Assert.Equal(new MatchReport(true, "Reported", null, 900, 1200, 41), report);
    }

    [Fact]
    public async Task GoogleAds_SizesNotDeterminedYet_IsAFailedReport()
    {
        var handler = new RecordingHandler(_ => (200, """{"results":[{"userList":{"resourceName":"customers/1/userLists/42"}}]}"""));
        var connection = new AdtechConnection(AdtechKeys.GoogleAds, new Uri("https://googleads.googleapis.com/"), "1", "token") { DeveloperToken = "dev" };

        var report = await new GoogleAdsConnector(Http(handler), TimeProvider.System).ReportAsync(connection, "customers/1/userLists/42", CancellationToken.None);

        Assert.False(report.Succeeded);
        Assert.Contains("not determined", report.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30L, 30L, 40L, "75 %")]
    [InlineData(95L, 105L, 200L, "48–53 %")]
    [InlineData(50L, 60L, 50L, "100 %")]
    public void MatchRate_MatchedOfMembers_ReadsAsWholePercents(long low, long high, long members, string text) =>
        Assert.Equal(text, MatchRate.Of(low, high, members)!.Text);

    [Fact]
    public void MatchRate_NoMembersOrNoFigure_IsNull()
    {
        Assert.Null(MatchRate.Of(10, 10, 0));
        Assert.Null(MatchRate.Of(null, null, 10));
    }
}
