using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Jobs;

/// <summary>
/// Restarts on the same folder after the process died while a job ran. A killed process leaves its job's row Running
/// (a graceful stop re-queues it), which is what these tests put back between starts.
/// </summary>
public sealed class JobRecoveryTests : DatabaseTest
{
    [Fact]
    public async Task Recover_JobThatKillsThePortalOnEveryStart_IsFailedAfterMaxAttemptsAndNotStartedAgain()
    {
        long id = 0;
        var runs = 0;
        for (var start = 1; start <= 3; start++)
        {
            var control = new TestJobControl();
            JobRecord running;
            await using (var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control)))
            {
                if (start == 1)
                {
                    id = (await host.Get<JobQueue>().EnqueueAsync(BlockingJob.Kind, CoreHost.Admin)).Id;
                }

                await control.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
                running = await host.WaitForJobAsync(id, j => j.Status == JobStatus.Running, "running");
            }

            runs += control.Runs;
            Assert.Equal(start, running.Attempts);
            await Folder.LeaveJobRunningAsync(id, running.Attempts);
        }

        var last = new TestJobControl();
        await using var restarted = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(last));
        var failed = await restarted.WaitForJobAsync(id, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(3, failed.Attempts);
        Assert.Contains("the portal stopped while running this job 3 times", failed.Error, StringComparison.Ordinal);
        Assert.NotNull(failed.FinishedAt);
        Assert.Equal(3, runs);
        Assert.Equal(0, last.Runs);
        Assert.Equal(0, restarted.Get<JobExecutor>().RunningCount);
    }

    [Fact]
    public async Task Recover_JobLeftRunningWithAttemptsLeft_CountsThatStartAndRunsAgain()
    {
        long id;
        await using (var setup = await CoreHost.StartAsync(Folder))
        {
            await using var db = await setup.DbAsync();
            var job = new JobRecord
            {
                Kind = FlakyJob.Kind, Title = "crashed once", Status = JobStatus.Running, Attempts = 1, MaxAttempts = 3, RequestedBy = "x",
                CreatedAt = DemoDates.End, StartedAt = DemoDates.End,
            };
            db.Jobs.Add(job);
            await db.SaveChangesAsync();
            id = job.Id;
        }

        var control = new TestJobControl();
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control));
        var done = await host.WaitForJobAsync(id, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Attempts);
        Assert.Equal(1, control.Runs);
        Assert.Equal("Attempt 1: the portal stopped while running this job.", done.Error);
    }
}
