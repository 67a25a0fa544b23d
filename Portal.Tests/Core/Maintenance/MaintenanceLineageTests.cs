using Portal.Core.Jobs;
using Portal.Core.Lineage;
using Portal.Core.Maintenance;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Maintenance;

/// <summary>The retention job in the lineage: a node of its own domain once it is scheduled or has run, with its last run's status.</summary>
public sealed class MaintenanceLineageTests : DatabaseTest
{
    [Fact]
    public async Task Build_RetentionNeitherScheduledNorRun_HasNoMaintenanceNode()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var graph = await host.Get<LineageBuilder>().BuildAsync();

        Assert.DoesNotContain(graph.Nodes, n => n.Domain == LineageDomains.Maintenance);
    }

    [Fact]
    public async Task Build_RetentionScheduledThenRun_IsAJobOfTheMaintenanceDomainWithItsLastStatusAndNoEdges()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.Get<JobSchedules>().CreateAsync(RetentionJob.ScheduleName, RetentionJob.Kind, RetentionJob.DefaultCron, CoreHost.Admin);

        var scheduled = Assert.Single((await host.Get<LineageBuilder>().BuildAsync()).Nodes, n => n.Id == MaintenanceLineage.JobId);
        Assert.Equal((LineageNodeKind.Job, LineageDomains.Maintenance, LineageStatus.NeverRun), (scheduled.Kind, scheduled.Domain, scheduled.Status));

        var job = await host.Get<JobQueue>().EnqueueAsync(RetentionJob.Kind, CoreHost.Admin);
        await host.WaitForJobAsync(job.Id, j => j.Status == JobStatus.Succeeded, "the retention run");

        var graph = await host.Get<LineageBuilder>().BuildAsync();
        Assert.Equal(LineageStatus.Fresh, Assert.Single(graph.Nodes, n => n.Id == MaintenanceLineage.JobId).Status);
        Assert.DoesNotContain(graph.Edges, e => e.Source == MaintenanceLineage.JobId || e.Target == MaintenanceLineage.JobId);
    }
}
