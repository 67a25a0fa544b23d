using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Jobs;

/// <summary>
/// The lease a running job is claimed under: renewed while it runs, respected by another instance's start-up, and once
/// it has passed (its instance died) taken back by whichever instance's pump finds it.
/// </summary>
public sealed class JobLeaseTests : DatabaseTest
{
    private static readonly Dictionary<string, string?> ThisInstance = new() { ["Jobs:InstanceId"] = "this-instance", ["Jobs:LeaseSeconds"] = "3" };

    private async Task<long> AddRunningJobAsync(CoreHost host, string owner, DateTime leaseExpiresAt)
    {
        await using var db = await host.DbAsync();
        var job = new JobRecord
        {
            Kind = FlakyJob.Kind, Title = "running elsewhere", Status = JobStatus.Running, Attempts = 1, MaxAttempts = 3, RequestedBy = "x",
            CreatedAt = DemoDates.End, StartedAt = DemoDates.End, LeaseOwner = owner, LeaseExpiresAt = leaseExpiresAt,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync();
        return job.Id;
    }

    [Fact]
    public async Task Start_JobRunningUnderAnotherInstancesLiveLease_IsLeftToIt()
    {
        long id;
        await using (var setup = await CoreHost.StartAsync(Folder, settings: ThisInstance))
        {
            id = await AddRunningJobAsync(setup, "other-instance", DateTime.UtcNow.AddHours(1));
        }

        var control = new TestJobControl();
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control), ThisInstance);
        var job = await host.JobAsync(id);

        Assert.Equal(JobStatus.Running, job.Status);
        Assert.Equal("other-instance", job.LeaseOwner);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(0, control.Runs);
    }

    [Fact]
    public async Task Pump_JobWhoseInstanceDiedAndLeasePassed_IsRequeuedCountedAndRunHere()
    {
        var control = new TestJobControl();
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control), ThisInstance);
        var id = await AddRunningJobAsync(host, "dead-instance", DateTime.UtcNow.AddSeconds(1));

        var done = await host.WaitForJobAsync(id, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Attempts);
        Assert.Equal("this-instance", done.LeaseOwner);
        Assert.Equal("Attempt 1: the portal stopped while running this job.", done.Error);
        Assert.Equal(1, control.Runs);
    }

    [Fact]
    public async Task Pump_QueuedJobNoInstanceDispatched_RunsIt()
    {
        var control = new TestJobControl();
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control), ThisInstance);
        long id;
        await using (var db = await host.DbAsync())
        {
            // As an instance that died between writing the row and handing it to its own queue leaves it.
            var job = new JobRecord { Kind = FlakyJob.Kind, Title = "queued elsewhere", Status = JobStatus.Queued, MaxAttempts = 3, RequestedBy = "x", CreatedAt = DemoDates.End };
            db.Jobs.Add(job);
            await db.SaveChangesAsync();
            id = job.Id;
        }

        var done = await host.WaitForJobAsync(id, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(1, done.Attempts);
        Assert.Equal(1, control.Runs);
    }

    [Fact]
    public async Task Executor_LongRunningJob_RenewsItsLeaseAndIsNotTakenBack()
    {
        var control = new TestJobControl();
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control), ThisInstance);
        var id = (await host.Get<JobQueue>().EnqueueAsync(BlockingJob.Kind, CoreHost.Admin)).Id;
        await control.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var claimed = await host.WaitForJobAsync(id, j => j.Status == JobStatus.Running, "running");

        // Past the first lease's end: still Running, under a later expiry, and never re-queued.
        var renewed = await host.WaitForJobAsync(id, j => j.LeaseExpiresAt > claimed.LeaseExpiresAt!.Value.AddSeconds(3), "renewed past its first lease");
        control.Release.SetResult();
        var done = await host.WaitForJobAsync(id, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Running, renewed.Status);
        Assert.Equal("this-instance", claimed.LeaseOwner);
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(1, done.Attempts);
        Assert.Equal(1, control.Runs);
        Assert.Null(done.LeaseExpiresAt);
    }
}
