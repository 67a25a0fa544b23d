using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;

namespace Portal.Tests.TestSupport;

/// <summary>Job kinds for tests, each with a controllable behaviour. State is per test (an instance registered as a singleton).</summary>
public sealed class TestJobControl
{
    public int Runs;
    public int FailuresBeforeSuccess;
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed class AlwaysFailsJob : IJobHandler
{
    public const string Kind = "test.always-fails";

    public Task RunAsync(JobExecution job, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"Upstream said no (attempt {job.Attempt})");
}

/// <summary>Fails in a way that retrying cannot fix.</summary>
public sealed class PermanentlyFailsJob : IJobHandler
{
    public const string Kind = "test.permanently-fails";

    public Task RunAsync(JobExecution job, CancellationToken cancellationToken) =>
        throw new PermanentJobFailureException("line 3, column 2 (\"clicks\"): 'x' is not a valid Int64");
}

public sealed class FlakyJob(TestJobControl control) : IJobHandler
{
    public const string Kind = "test.flaky";

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var run = Interlocked.Increment(ref control.Runs);
        if (run <= control.FailuresBeforeSuccess)
        {
            throw new TimeoutException($"Flaky failure {run}");
        }

        await job.ReportAsync(10, 10, "done", cancellationToken);
    }
}

/// <summary>Reports progress, then waits until released (or cancelled).</summary>
public sealed class BlockingJob(TestJobControl control) : IJobHandler
{
    public const string Kind = "test.blocking";

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref control.Runs);
        await job.ReportAsync(3, 10, "waiting", cancellationToken);
        control.Started.TrySetResult();
        await control.Release.Task.WaitAsync(cancellationToken);
        await job.ReportAsync(10, 10, "released", cancellationToken);
    }
}

public static class TestJobRegistration
{
    public static TestJobControl AddTestJobs(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, TestJobControl? control = null)
    {
        control ??= new TestJobControl();
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, control);
        services.AddJobHandler<AlwaysFailsJob>(AlwaysFailsJob.Kind, "Always fails");
        services.AddJobHandler<PermanentlyFailsJob>(PermanentlyFailsJob.Kind, "Permanently fails");
        services.AddJobHandler<FlakyJob>(FlakyJob.Kind, "Flaky");
        services.AddJobHandler<BlockingJob>(BlockingJob.Kind, "Blocking");
        return control;
    }
}

/// <summary>
/// Stands in for the segment refresh job where the app does not register one, so that "trigger" can queue its job
/// (the queue refuses unknown kinds). It does nothing; tests check the queued row.
/// </summary>
public sealed class SegmentRefreshStandIn : IJobHandler
{
    public const string Kind = "segments.refresh";

    public Task RunAsync(JobExecution job, CancellationToken cancellationToken) => job.ReportAsync(1, 1, "stand-in: nothing refreshed", cancellationToken);

    /// <summary>Registers the stand-in unless the app already has a handler of this kind.</summary>
    public static void AddUnlessRegistered(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        if (!services.Any(d => (d.ServiceType == typeof(JobKind) && d.ImplementationInstance is JobKind { Kind: Kind })
            || (d.ServiceType == typeof(IJobHandler) && d.IsKeyedService && Equals(d.ServiceKey, Kind))))
        {
            services.AddJobHandler<SegmentRefreshStandIn>(Kind, "Refresh a segment (test stand-in)");
        }
    }
}

/// <summary>What a killed process leaves of a job it was running, put back by a test between two starts on one folder.</summary>
public static class KilledProcess
{
    /// <summary>
    /// Sets the job's row as the process left it: Running (a graceful stop would have queued it again), with the run
    /// that was under way counted in <paramref name="attempts"/>, as claiming it did.
    /// </summary>
    public static async Task LeaveJobRunningAsync(this TestFolder folder, long id, int attempts)
    {
        await using var db = folder.OpenDb();
        await db.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Running)
            .SetProperty(j => j.Attempts, attempts)
            .SetProperty(j => j.StartedAt, DemoDates.End)
            .SetProperty(j => j.FinishedAt, (DateTime?)null));
    }
}
