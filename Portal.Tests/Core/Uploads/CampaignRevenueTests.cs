using Microsoft.EntityFrameworkCore;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>The campaign revenues aggregate: kept in step by every upload, the same whatever their order.</summary>
public sealed class CampaignRevenueTests : DatabaseTest
{
    private static readonly (string Dataset, string FileName, byte[] Content)[] Uploads =
    [
        ("impressions", "impressions_q1.csv", Csv("banner_id,campaign_id", "1,100", "2,100", "3,100", "1,200", "9,300")),
        ("clicks", "clicks_q1.csv", Csv("click_id,banner_id,campaign_id", "11,1,100", "12,1,100", "13,2,100", "14,1,200", "15,7,100", "16,3,100")),
        ("conversions", "conversions_q1.csv", Csv("conversion_id,click_id,revenue", "21,11,0.1", "22,12,0.2", "23,13,5.75", "24,14,1.5", "25,15,99", "26,11,0.7")),
    ];

    /// <summary>What the seed's join gives for <see cref="Uploads"/>: (campaign, banner, revenue, clicks).</summary>
    private static readonly (long, long, double, long)[] Expected =
    [
        (100, 1, 1.0, 2), (100, 2, 5.75, 1), (100, 3, 0, 1), (200, 1, 1.5, 1), (300, 9, 0, 0),
    ];

    private static async Task<List<(long, long, double, long)>> RevenuesAsync(CoreHost host, string quarter)
    {
        await using var db = await host.DbAsync();
        return (await db.CampaignRevenues.AsNoTracking().Where(r => r.Quarter == quarter).OrderBy(r => r.CampaignId).ThenBy(r => r.BannerId).ToListAsync())
            .Select(r => (r.CampaignId, r.BannerId, r.Revenue, r.Clicks)).ToList();
    }

    public static TheoryData<int[]> Orders => new() { { [0, 1, 2] }, { [0, 2, 1] }, { [1, 0, 2] }, { [1, 2, 0] }, { [2, 0, 1] }, { [2, 1, 0] } };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Aggregate_ThreeUploadsInAnyOrder_IsTheSame(int[] order)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        foreach (var i in order)
        {
            await host.ImportedAsync(Uploads[i].Dataset, "2024-Q1", Uploads[i].FileName, Uploads[i].Content);
        }

        Assert.Equal(Expected, await RevenuesAsync(host, "2024-Q1"));
    }

    [Fact]
    public async Task Aggregate_AfterEachUpload_HasWhatIsStoredSoFar()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        await host.ImportedAsync("clicks", "2024-Q1", Uploads[1].FileName, Uploads[1].Content);
        Assert.Empty(await RevenuesAsync(host, "2024-Q1"));
        await host.ImportedAsync("impressions", "2024-Q1", Uploads[0].FileName, Uploads[0].Content);
        Assert.Equal([(100, 1, 0.0, 2), (100, 2, 0.0, 1), (100, 3, 0.0, 1), (200, 1, 0.0, 1), (300, 9, 0.0, 0)], await RevenuesAsync(host, "2024-Q1"));
        await host.ImportedAsync("conversions", "2024-Q1", "more.csv", Csv("conversion_id,click_id,revenue", "31,16,2.25"));
        Assert.Equal(2.25, (await RevenuesAsync(host, "2024-Q1")).Single(r => r.Item2 == 3).Item3);
    }

    [Fact]
    public async Task Aggregate_OtherQuarter_IsLeftAlone()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        foreach (var (dataset, fileName, content) in Uploads)
        {
            await host.ImportedAsync(dataset, "2024-Q1", fileName, content);
        }

        await host.ImportedAsync("impressions", "2024-Q2", "impressions_q2.csv", Csv("banner_id,campaign_id", "5,100"));

        Assert.Equal(Expected, await RevenuesAsync(host, "2024-Q1"));
        Assert.Equal([(100, 5, 0.0, 0)], await RevenuesAsync(host, "2024-Q2"));
        var report = await host.Get<CampaignRevenueQueries>().ForCampaignAsync(100);
        Assert.NotNull(report);
        Assert.Equal("2024-Q2", report.Quarter);
        Assert.Equal(4, report.Rows.Count);
        Assert.Equal([5L], report.Banners);
    }

    [Theory]
    [InlineData(new[] { 10.0, 0, 5, 0, 0, 0 }, new long[] { 1, 2, 3, 4, 5, 6 }, new long[] { 1, 3, 6, 5, 4 })]
    [InlineData(new[] { 0.0, 0, 0, 0, 0, 0 }, new long[] { 1, 2, 3, 4, 5, 6 }, new long[] { 6, 5, 4, 3, 2 })]
    [InlineData(new[] { 1.0, 2, 3, 4, 5, 6 }, new long[] { 0, 0, 0, 0, 0, 0 }, new long[] { 6, 5, 4, 3, 2, 1 })]
    public void ChooseBanners_ByRevenueThenClicks_FollowsTheSeedsRule(double[] revenue, long[] clicks, long[] expected)
    {
        var rows = revenue.Select((r, i) => new CampaignRevenue { CampaignId = 1, BannerId = i + 1, Quarter = "2024-Q1", Revenue = r, Clicks = clicks[i] });

        Assert.Equal(expected, CampaignRevenueQueries.ChooseBanners(rows));
    }

    [Fact]
    public void ChooseBanners_TwelveEarning_TakesTheTopTen()
    {
        var rows = Enumerable.Range(1, 12).Select(i => new CampaignRevenue { CampaignId = 1, BannerId = i, Quarter = "2024-Q1", Revenue = i, Clicks = 0 });

        Assert.Equal(Enumerable.Range(3, 10).Reverse().Select(i => (long)i), CampaignRevenueQueries.ChooseBanners(rows));
    }
}
