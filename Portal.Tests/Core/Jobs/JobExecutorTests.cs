using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Jobs;

public sealed class JobExecutorTests : DatabaseTest
{
    [Fact]
    public async Task FailingJob_ThrowsWithAStack_ErrorHasNoStackFramesAndTheLogHasThem()
    {
        var log = new LogCapture();
        await using var host = await CoreHost.StartAsync(Folder, s =>
        {
            s.AddTestJobs();
            log.AddTo(s);
        }, new Dictionary<string, string?> { ["Jobs:MaxAttempts"] = "1" });
        var job = await host.Get<JobQueue>().EnqueueAsync(AlwaysFailsJob.Kind, CoreHost.Admin);

        var failed = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal("Attempt 1: InvalidOperationException: Upstream said no (attempt 1)", failed.Error);
        Assert.DoesNotContain("   at ", failed.Error, StringComparison.Ordinal);
        var logged = Assert.Single(log.Entries, e => e.Category == typeof(JobExecutor).FullName && e.Exception is not null);
        Assert.Contains($"Job {job.Id} ({AlwaysFailsJob.Kind}) attempt 1/1 failed", logged.Message, StringComparison.Ordinal);
        Assert.Contains("   at ", logged.Text, StringComparison.Ordinal);
        Assert.Contains(nameof(AlwaysFailsJob), logged.Text, StringComparison.Ordinal);
    }
}
