using Portal.Core.Lineage;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

public sealed class UploadsLineageTests : DatabaseTest
{
    private static bool Has(LineageGraph graph, string source, string target, LineageEdgeKind kind) =>
        graph.Edges.Any(e => e.Source == source && e.Target == target && e.Kind == kind);

    [Fact]
    public async Task Build_AfterImports_HasDatasetNodesWithTheirTablesAndTheAggregate()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));
        await host.ImportedAsync("credit_card_transactions", null, "cc.csv", Csv(CardHeader, Card(10, 1, 5m)));
        await host.ImportedAsync("impressions", "2024-Q1", "i.csv", Csv("banner_id,campaign_id", "1,1", "2,1"));
        await host.ImportedAsync("clicks", "2024-Q1", "c.csv", Csv("click_id,banner_id,campaign_id", "1,1,1"));
        await host.ImportAsync("conversions", "2024-Q1", "bad.csv", Csv("conversion_id,click_id,revenue", "1,1,lots"));

        var graph = await host.Get<LineageBuilder>().BuildAsync();

        Assert.Empty(graph.Problems);
        var users = graph.Find(UploadsLineage.DatasetId("users"));
        Assert.NotNull(users);
        Assert.Equal((LineageNodeKind.Dataset, LineageStatus.Fresh, 2L, "/uploads?dataset=users", LineageDomains.Customers),
            (users.Kind, users.Status, users.RowCount, users.Link, users.Domain));
        Assert.True(Has(graph, UploadsLineage.DatasetId("users"), LineageBuilder.TableId("users"), LineageEdgeKind.Loads));
        Assert.True(Has(graph, UploadsLineage.DatasetId("credit_card_transactions"), LineageBuilder.TableId("credit_card_transactions"), LineageEdgeKind.Loads));
        Assert.True(Has(graph, UploadsLineage.DatasetId("impressions"), UploadsLineage.AggregateId, LineageEdgeKind.Aggregates));
        Assert.True(Has(graph, UploadsLineage.DatasetId("clicks"), UploadsLineage.AggregateId, LineageEdgeKind.Aggregates));
        Assert.False(Has(graph, UploadsLineage.DatasetId("conversions"), UploadsLineage.AggregateId, LineageEdgeKind.Aggregates));
        Assert.Equal(LineageStatus.Failed, graph.Find(UploadsLineage.DatasetId("conversions"))!.Status);
        Assert.Null(graph.Find(UploadsLineage.DatasetId("upi_transactions")));
        Assert.Equal(2L, graph.Find(UploadsLineage.AggregateId)!.RowCount);
        Assert.True(Has(graph, UploadsLineage.JobId, UploadsLineage.DatasetId("impressions"), LineageEdgeKind.Runs));
        Assert.Contains(UploadsLineage.DatasetId("users"), graph.Upstream(LineageBuilder.TableId("users")));
    }

    [Fact]
    public async Task Build_NothingImported_AddsNothing()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var graph = await host.Get<LineageBuilder>().BuildAsync();

        Assert.DoesNotContain(graph.Nodes, n => n.Kind == LineageNodeKind.Dataset || n.Id == UploadsLineage.AggregateId || n.Id == UploadsLineage.JobId);
    }
}
