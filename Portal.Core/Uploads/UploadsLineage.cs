using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Lineage;

namespace Portal.Core.Uploads;

/// <summary>
/// The uploads' part of the lineage: a Dataset node per dataset that has had a file (its rows, the status of its last
/// import, the time of its last good one, a link to the Uploads page filtered to it), an edge to the table each loads
/// (users and the two transaction tables, whose nodes the builder makes), the <c>campaign_revenues</c> aggregate fed by
/// impressions, clicks and conversions, and the import job kind that writes the datasets. Datasets never imported into
/// stay out of the graph.
/// </summary>
public sealed class UploadsLineage(ImportedFileQueries queries, IDbContextFactory<PortalDbContext> dbFactory) : ILineageContributor
{
    public static string DatasetId(string dataset) => $"dataset:{dataset}";

    public static string AggregateId => LineageBuilder.TableId(DatasetCatalog.CampaignRevenuesTable);

    public static string JobId => LineageBuilder.JobId(DatasetImportJob.Kind);

    public async Task ContributeAsync(ICollection<LineageNode> nodes, ICollection<LineageEdge> edges, CancellationToken cancellationToken)
    {
        var datasets = (await queries.DatasetsAsync(cancellationToken)).Where(d => d.LastStatus is not null).ToList();
        if (datasets.Count == 0)
        {
            return;
        }

        nodes.Add(new LineageNode(JobId, LineageNodeKind.Job, DatasetImportJob.DisplayName, LineageStatus.None, null, null, "/jobs",
            LineageDomains.Customers, "Imports uploaded and dropped CSV files"));
        foreach (var d in datasets)
        {
            var id = DatasetId(d.Schema.Name);
            var status = d.LastStatus == ImportStatus.Imported ? LineageStatus.Fresh : LineageStatus.Failed;
            var detail = $"{d.FilesImported} file(s) imported, {d.FilesRejected} rejected, {d.FilesFailed} failed"
                + (d.Partitions.Count > 0 && d.Schema.Partition != PartitionKind.None ? $"; quarters {string.Join(", ", d.Partitions)}" : "");
            nodes.Add(new LineageNode(id, LineageNodeKind.Dataset, d.Schema.DisplayName, status, d.RowsKept, d.LastImportedAt,
                $"/uploads?dataset={Uri.EscapeDataString(d.Schema.Name)}", LineageDomains.Customers, detail));
            edges.Add(new LineageEdge(JobId, id, LineageEdgeKind.Runs));
            if (d.Schema.Table is { } table)
            {
                edges.Add(new LineageEdge(id, LineageBuilder.TableId(table), LineageEdgeKind.Loads));
            }
        }

        var feeding = datasets.Where(d => DatasetCatalog.FeedsCampaignRevenues(d.Schema.Name) && d.FilesImported > 0).ToList();
        if (feeding.Count > 0)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var rows = await db.CampaignRevenues.LongCountAsync(cancellationToken);
            nodes.Add(new LineageNode(AggregateId, LineageNodeKind.Table, DatasetCatalog.CampaignRevenuesTable, LineageStatus.Fresh, rows,
                feeding.Max(d => d.LastImportedAt), "/uploads?dataset=impressions", LineageDomains.Customers,
                "Revenue and clicks per campaign, banner and quarter (GET /api/campaigns/{id})"));
            foreach (var d in feeding)
            {
                edges.Add(new LineageEdge(DatasetId(d.Schema.Name), AggregateId, LineageEdgeKind.Aggregates));
            }
        }
    }
}
