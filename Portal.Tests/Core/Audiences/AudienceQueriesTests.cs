using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;
using Portal.Tests.Web.Components.Segments;
using static Portal.Tests.Core.Audiences.AudienceIndexTests;

namespace Portal.Tests.Core.Audiences;

/// <summary>The Audiences grid's filters, search and sort, run in the database over the index.</summary>
public sealed class AudienceQueriesTests : DatabaseTest
{
    [Fact]
    public async Task Matrix_NameDescending_PagesFromZToA()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        foreach (var name in new[] { "alpha", "delta", "bravo", "charlie" })
        {
            WriteBehind(bucket, name + ".yml", State(name));
        }

        var queries = host.Get<AudienceQueries>();
        var (first, total) = await queries.MatrixAsync(null, null, 0, 3, descending: true);
        var (second, _) = await queries.MatrixAsync(null, null, 3, 3, descending: true);

        Assert.Equal(4, total);
        Assert.Equal(["delta", "charlie", "bravo", "alpha"], first.Concat(second).Select(a => a.Name));
        Assert.Equal(["alpha", "bravo"], (await queries.MatrixAsync(null, null, 0, 2)).Items.Select(a => a.Name));
    }

    [Fact]
    public async Task List_EachStatusFilter_KeepsTheAudiencesInThatState()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        WriteBehind(bucket, "mixed.yml", State("mixed")); // adtechA not fetched, adtechB posted
        WriteBehind(bucket, "posted.yml", "posted:\n  description: All out\n  source:\n    segment: Big spenders\n  adtechB:\n    name: B\n    id: '7'\n");
        WriteBehind(bucket, "broken.yml", "broken: [never closed\n");
        await using (var db = await host.DbAsync())
        {
            db.ExportRuns.AddRange(
                SegmentDetailPageTests.Run(1, AdtechKeys.AdtechB, null, 0, 0, ExportRunStatus.Failed, audience: "posted"),
                SegmentDetailPageTests.Run(2, AdtechKeys.AdtechB, null, 0, 0, ExportRunStatus.Succeeded, audience: "posted"),
                SegmentDetailPageTests.Run(3, AdtechKeys.AdtechA, null, 0, 0, ExportRunStatus.Failed, audience: "mixed"));
            await db.SaveChangesAsync();
        }

        var queries = host.Get<AudienceQueries>();
        async Task<IReadOnlyList<string>> NamesAsync(AudienceFilter filter, string? search = null) =>
            (await queries.ListAsync(search, filter, AudienceSort.Name, false, 0, 25)).Items.Select(a => a.Name).ToList();

        Assert.Equal(["broken", "mixed", "posted"], await NamesAsync(AudienceFilter.Any));
        Assert.Equal(["mixed"], await NamesAsync(AudienceFilter.Pending));
        Assert.Equal(["posted"], await NamesAsync(AudienceFilter.Posted));
        Assert.Equal(["mixed", "posted"], await NamesAsync(AudienceFilter.NotFetched));
        Assert.Equal(["mixed"], await NamesAsync(AudienceFilter.Failing)); // posted's latest run succeeded
        Assert.Equal(["broken"], await NamesAsync(AudienceFilter.Invalid));
        Assert.Equal(["posted"], await NamesAsync(AudienceFilter.Any, "ALL OUT"));
        Assert.Equal(["mixed"], await NamesAsync(AudienceFilter.Any, "adtecha"));
    }
}
