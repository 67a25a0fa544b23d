using Portal.Core.Audiences;
using Portal.Core.Lineage;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Lineage;

public sealed class LineageLayoutWarmerTests : DatabaseTest
{
    [Fact]
    public async Task WarmAsync_ThenTheWholeGraphIsAskedFor_ItsLayoutComesFromTheCache()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("fresh_one"), "fresh_one:\n  description: d\n  source: {endpoint: new/}\n  adtechB:\n    name: B\n", null);

        var warmed = await host.Get<LineageLayoutWarmer>().WarmAsync(CancellationToken.None);

        Assert.NotNull(warmed);
        Assert.Contains(LineageBuilder.AudienceId("fresh_one"), warmed.Positions.Keys);
        var graph = await host.Get<LineageBuilder>().BuildAsync();
        var asked = host.Get<LineageLayout>().Compute(graph.WholeView(), groupByDomain: false);
        Assert.True(asked.Cached);
        Assert.Same(warmed.Positions, asked.Positions);
    }
}
