using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Dashboard;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Jobs;

public sealed class JobQueueTests : DatabaseTest
{
    [Fact]
    public async Task Enqueue_DemoJob_RunsToHundredPercentAndRecordsWho()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true);
        var job = await host.Get<JobQueue>().EnqueueAsync(RecomputeDashboardTotalsJob.Kind, CoreHost.Marketer);

        var done = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(done.ProgressTotal, done.ProgressDone);
        Assert.True(done.ProgressTotal > 1, "the demo job reports one step per month");
        Assert.Equal(100, done.Percent);
        Assert.Equal("marketer@tests.local", done.RequestedBy);
        Assert.Equal(1, done.Attempts);
        Assert.NotNull(done.StartedAt);
        Assert.NotNull(done.FinishedAt);
    }

    [Fact]
    public async Task Enqueue_AsViewer_IsRefusedAndWritesNothing()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var ex = await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            host.Get<JobQueue>().EnqueueAsync(RecomputeDashboardTotalsJob.Kind, CoreHost.Viewer));
        Assert.Contains("Admin or Marketer", ex.Message, StringComparison.Ordinal);
        await using var db = await host.DbAsync();
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task CancelAndRetry_AsViewer_AreRefused()
    {
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs());
        var job = await host.Get<JobQueue>().EnqueueAsync(AlwaysFailsJob.Kind, CoreHost.Admin);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<JobQueue>().CancelAsync(job.Id, CoreHost.Viewer));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<JobQueue>().RetryAsync(job.Id, CoreHost.Viewer));
    }

    [Fact]
    public async Task Enqueue_UnknownKind_SaysWhichKindsExist()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => host.Get<JobQueue>().EnqueueAsync("nope", CoreHost.Admin));
        Assert.Contains("Unknown job kind 'nope'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(RecomputeDashboardTotalsJob.Kind, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingJob_RetriesWithBackoffThenFails_WithItsError()
    {
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs());
        var job = await host.Get<JobQueue>().EnqueueAsync(AlwaysFailsJob.Kind, CoreHost.Admin);

        var failed = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(3, failed.Attempts);
        Assert.Equal(3, failed.MaxAttempts);
        Assert.Contains("InvalidOperationException: Upstream said no (attempt 3)", failed.Error, StringComparison.Ordinal);
        Assert.True(failed.FinishedAt - failed.CreatedAt >= TimeSpan.FromSeconds(0.2 + 0.4), "two backoffs (0.2 s then 0.4 s) come before the last attempt");
    }

    [Fact]
    public async Task FailingJob_PermanentFailure_FailsAtOnceWithTheMessageOnly()
    {
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs());
        var job = await host.Get<JobQueue>().EnqueueAsync(PermanentlyFailsJob.Kind, CoreHost.Admin);

        var failed = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.Equal("Attempt 1: line 3, column 2 (\"clicks\"): 'x' is not a valid Int64", failed.Error);
    }

    [Fact]
    public async Task FlakyJob_FailsOnceThenSucceeds_KeepsTheEarlierError()
    {
        var control = new TestJobControl { FailuresBeforeSuccess = 1 };
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control));
        var job = await host.Get<JobQueue>().EnqueueAsync(FlakyJob.Kind, CoreHost.Admin);

        var done = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Attempts);
        Assert.Equal(2, control.Runs);
        Assert.Contains("Flaky failure 1", done.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatch_SameJobManyTimes_RunsItOnce()
    {
        var control = new TestJobControl();
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control));
        var queue = host.Get<JobQueue>();
        var job = await queue.EnqueueAsync(BlockingJob.Kind, CoreHost.Admin);
        for (var i = 0; i < 5; i++)
        {
            queue.Dispatch(job.Id);
        }

        await control.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        queue.Dispatch(job.Id);
        control.Release.SetResult();
        var done = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(1, control.Runs);
        Assert.Equal(1, done.Attempts);
    }

    [Fact]
    public async Task Cancel_RunningJob_StopsItAsCancelled()
    {
        var control = new TestJobControl();
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control));
        var job = await host.Get<JobQueue>().EnqueueAsync(BlockingJob.Kind, CoreHost.Marketer);
        await control.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(await host.Get<JobQueue>().CancelAsync(job.Id, CoreHost.Marketer));
        var cancelled = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(3, cancelled.ProgressDone);
        Assert.False(await host.Get<JobQueue>().CancelAsync(job.Id, CoreHost.Marketer), "a finished job cannot be cancelled again");
    }

    [Fact]
    public async Task Cancel_QueuedJob_NeverRuns()
    {
        var control = new TestJobControl();
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control), new Dictionary<string, string?> { ["Jobs:MaxConcurrency"] = "1" });
        var queue = host.Get<JobQueue>();
        var first = await queue.EnqueueAsync(BlockingJob.Kind, CoreHost.Admin);
        await control.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await queue.EnqueueAsync(BlockingJob.Kind, CoreHost.Admin);

        Assert.True(await queue.CancelAsync(second.Id, CoreHost.Admin));
        Assert.Equal(JobStatus.Cancelled, (await host.JobAsync(second.Id)).Status);
        control.Release.SetResult();
        await host.WaitForJobAsync(first.Id, j => j.Status == JobStatus.Succeeded, "succeeded");
        Assert.Equal(1, control.Runs);
        Assert.Equal(JobStatus.Cancelled, (await host.JobAsync(second.Id)).Status);
    }

    [Fact]
    public async Task Retry_FailedJob_RunsAgainWithFreshAttempts()
    {
        var control = new TestJobControl { FailuresBeforeSuccess = 3 };
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control));
        var queue = host.Get<JobQueue>();
        var job = await queue.EnqueueAsync(FlakyJob.Kind, CoreHost.Admin);
        await host.WaitForJobAsync(job.Id, j => j.Status == JobStatus.Failed, "failed");

        Assert.True(await queue.RetryAsync(job.Id, CoreHost.Marketer));
        var done = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished again");
        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.Equal(1, done.Attempts);
        Assert.Equal(4, control.Runs);
        await using var db = await host.DbAsync();
        Assert.Contains(await db.AuditLog.Select(a => a.Action).ToListAsync(), a => a == "job.retried");
    }

    [Fact]
    public async Task Jobs_QueuedOrRunningWhenTheHostStops_RunAfterRestart()
    {
        long interrupted, waiting;
        var control = new TestJobControl();
        await using (var first = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(control), new Dictionary<string, string?> { ["Jobs:MaxConcurrency"] = "1" }))
        {
            var queue = first.Get<JobQueue>();
            interrupted = (await queue.EnqueueAsync(BlockingJob.Kind, CoreHost.Admin)).Id;
            await control.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            waiting = (await queue.EnqueueAsync(FlakyJob.Kind, CoreHost.Admin)).Id;
        }

        // After a graceful stop both rows are queued again, none is lost or left half-done.
        await using (var db = Folder.OpenDb())
        {
            Assert.Equal(JobStatus.Queued, (await db.Jobs.SingleAsync(j => j.Id == interrupted)).Status);
            Assert.Equal(0, (await db.Jobs.SingleAsync(j => j.Id == interrupted)).Attempts);
            Assert.Equal(JobStatus.Queued, (await db.Jobs.SingleAsync(j => j.Id == waiting)).Status);
        }

        var second = new TestJobControl();
        second.Release.SetResult();
        await using var restarted = await CoreHost.StartAsync(Folder, s => s.AddTestJobs(second));
        Assert.Equal(JobStatus.Succeeded, (await restarted.WaitForJobAsync(interrupted, j => j.IsFinished, "finished")).Status);
        Assert.Equal(JobStatus.Succeeded, (await restarted.WaitForJobAsync(waiting, j => j.IsFinished, "finished")).Status);
    }

    [Fact]
    public async Task Jobs_LeftRunningByACrash_AreResumedOnStart()
    {
        // Set up the rows a killed process leaves behind: one Running, one Queued that Coravel's memory lost.
        await using (var setup = await CoreHost.StartAsync(Folder))
        {
            await using var db = await setup.DbAsync();
            db.Jobs.AddRange(
                new JobRecord { Kind = RecomputeDashboardTotalsJob.Kind, Title = "crashed", Status = JobStatus.Running, Attempts = 1, MaxAttempts = 3, RequestedBy = "x", CreatedAt = DateTime.UtcNow },
                new JobRecord { Kind = RecomputeDashboardTotalsJob.Kind, Title = "lost", Status = JobStatus.Queued, MaxAttempts = 3, RequestedBy = "x", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        await using var host = await CoreHost.StartAsync(Folder);
        await using var check = await host.DbAsync();
        var ids = await check.Jobs.OrderBy(j => j.Id).Select(j => j.Id).ToListAsync();
        var attempts = new List<int>();
        foreach (var id in ids)
        {
            var job = await host.WaitForJobAsync(id, j => j.IsFinished, "finished");
            Assert.Equal(JobStatus.Succeeded, job.Status);
            attempts.Add(job.Attempts);
        }

        // The start the crash interrupted counts as an attempt; the lost queued job had none before.
        Assert.Equal([2, 1], attempts);
    }

    [Fact]
    public async Task Schedule_Due_QueuesAJobAsSystem()
    {
        // A one-second minimum (the default is a minute) lets an every-second schedule be made, so the test need not wait.
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Jobs:MinScheduleIntervalSeconds"] = "1" });
        var schedule = await host.Get<JobSchedules>().CreateAsync("Every second", RecomputeDashboardTotalsJob.Kind, "* * * * * *", CoreHost.Marketer);

        await host.WaitUntilAsync(async () =>
        {
            await using var db = await host.DbAsync();
            return await db.Jobs.AnyAsync(j => j.ScheduleId == schedule.Id && j.Status == JobStatus.Succeeded);
        }, "a scheduled job to run");
        await using var db = await host.DbAsync();
        var job = await db.Jobs.FirstAsync(j => j.ScheduleId == schedule.Id);
        Assert.Equal("system", job.RequestedBy);
        Assert.Equal("Every second (scheduled)", job.Title);
        Assert.NotNull((await db.JobSchedules.SingleAsync(s => s.Id == schedule.Id)).LastRunAt);
    }

    [Fact]
    public async Task Schedule_MalformedCron_IsRejectedAndNotSaved()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var ex = await Assert.ThrowsAsync<ScheduleValidationException>(() =>
            host.Get<JobSchedules>().CreateAsync("Broken", RecomputeDashboardTotalsJob.Kind, "61 * * * *", CoreHost.Admin));
        Assert.Equal("Cron", ex.Field);
        Assert.Contains("'61 * * * *' is not valid", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await host.Get<JobSchedules>().ListAsync());
        Assert.Empty((await host.Get<AuditLog>().ListAsync("schedule", 0, 10)).Items);
    }
}
