using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;

namespace Portal.Core.Jobs;

/// <summary>
/// At start-up, in two steps: first, before this process queues or runs anything, jobs left Running by a process that
/// died go back to Queued (<see cref="RequeueInterruptedAsync"/>); then, once the database is ready, every queued job
/// is handed to Coravel again, as its in-memory queue forgot them (<see cref="DispatchQueuedAsync"/>). A graceful stop re-queues its running jobs itself, so a row still
/// Running here was being run when the process was killed (out of memory, a stack overflow, kill -9, a power cut):
/// that start counts as one of the job's attempts, and a job that has used them all is Failed instead of being
/// started again, so a job that kills the portal cannot take it down on every start.
/// </summary>
public sealed partial class JobRecovery(
    IDbContextFactory<PortalDbContext> dbFactory,
    JobQueue queue,
    JobNotifier notifier,
    TimeProvider clock,
    ILogger<JobRecovery> logger)
{
    /// <summary>
    /// Jobs left Running go back to Queued (or Failed once their attempts are used up). Called before start-up queues
    /// its own jobs: one this process started would look interrupted. Returns how many were found Running.
    /// </summary>
    public async Task<int> RequeueInterruptedAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var interrupted = await db.Jobs.Where(j => j.Status == JobStatus.Running).ToListAsync(cancellationToken);
        foreach (var job in interrupted)
        {
            // The claim that started the run already counted it in Attempts.
            if (job.Attempts >= job.MaxAttempts)
            {
                job.Status = JobStatus.Failed;
                job.Error = StoppedMessage(job.Attempts);
                job.ProgressMessage = "Failed";
                job.FinishedAt = now;
                LogGivenUp(logger, job.Id, job.Kind, job.Attempts);
            }
            else
            {
                job.Status = JobStatus.Queued;
                job.StartedAt = null;
                job.Error = string.Create(CultureInfo.InvariantCulture, $"Attempt {job.Attempts}: the portal stopped while running this job.");
                job.ProgressMessage = string.Create(CultureInfo.InvariantCulture,
                    $"Interrupted when the portal stopped (attempt {job.Attempts} of {job.MaxAttempts}); resumed on start");
                LogResumed(logger, job.Id, job.Kind, job.Attempts, job.MaxAttempts);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var job in interrupted.Where(j => j.Status == JobStatus.Failed))
        {
            notifier.Publish(new JobChange(job.Id, JobStatus.Failed));
        }

        return interrupted.Count;
    }

    /// <summary>Hands every queued job without a backoff to Coravel (a double dispatch runs a job once). Returns how many.</summary>
    public async Task<int> DispatchQueuedAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var queued = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued && j.NotBefore == null)
            .OrderBy(j => j.Id)
            .Select(j => j.Id)
            .ToListAsync(cancellationToken);
        foreach (var id in queued)
        {
            queue.Dispatch(id);
        }

        if (queued.Count > 0)
        {
            notifier.Publish(new JobChange(queued[0], JobStatus.Queued));
        }

        return queued.Count;
    }

    /// <summary>The error of a job whose every attempt ended with the portal stopping.</summary>
    public static string StoppedMessage(int times) => string.Create(CultureInfo.InvariantCulture,
        $"Attempt {times}: the portal stopped while running this job {times} {(times == 1 ? "time" : "times")} (out of memory, a crash or a kill?); it is not started again by itself. Retry runs it again.");

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} ({Kind}) was running when the portal stopped, {Attempts} times in all: marked Failed, not started again")]
    private static partial void LogGivenUp(ILogger logger, long jobId, string kind, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) was running when the portal stopped (attempt {Attempt} of {MaxAttempts}): queued again")]
    private static partial void LogResumed(ILogger logger, long jobId, string kind, int attempt, int maxAttempts);
}
