using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Lineage;

namespace Portal.Core.Maintenance;

/// <summary>
/// Maintenance's part of the lineage: the retention job kind in a domain of its own, with the status of its last run,
/// once it has a schedule or has run. It moves no data along the flow (it prunes history and orphaned files), so it has
/// no edges: a node beside the flow, not on it.
/// </summary>
public sealed class MaintenanceLineage(IDbContextFactory<PortalDbContext> dbFactory) : ILineageContributor
{
    public static string JobId => LineageBuilder.JobId(RetentionJob.Kind);

    public async Task ContributeAsync(ICollection<LineageNode> nodes, ICollection<LineageEdge> edges, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var last = await db.Jobs.AsNoTracking().Where(j => j.Kind == RetentionJob.Kind).OrderByDescending(j => j.Id).FirstOrDefaultAsync(cancellationToken);
        var schedule = await db.JobSchedules.AsNoTracking().Where(s => s.Kind == RetentionJob.Kind).Select(s => s.Cron).FirstOrDefaultAsync(cancellationToken);
        if (last is null && schedule is null)
        {
            return;
        }

        nodes.Add(new LineageNode(JobId, LineageNodeKind.Job, RetentionJob.DisplayName, LineageBuilder.StatusOf(last), null, last?.FinishedAt, "/jobs", LineageDomains.Maintenance,
            $"Prunes finished jobs, export runs, refresh history and audit entries past their ages, and orphaned bucket files"
            + (schedule is null ? "" : $"; schedule {schedule}")));
    }
}
