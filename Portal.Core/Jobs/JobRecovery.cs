using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Jobs;

/// <summary>
/// At start-up, in two steps: first, before this process queues or runs anything, jobs left Running by a process that
/// died (this instance before its restart, or any instance whose lease has passed) go back to Queued (<see cref="RequeueInterruptedAsync"/>); then, once the database is ready, every queued job
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
    IOptions<JobOptions> options,
    ILogger<JobRecovery> logger)
{
    private readonly string _instance = options.Value.ResolvedInstanceId;

    /// <summary>
    /// At start: jobs left Running by this instance (or claimed before leases existed) and jobs whose lease has passed
    /// go back to Queued (or Failed once their attempts are used up). Jobs Running under another instance's live lease
    /// are left to it. Called before start-up queues its own jobs: one this process started would look interrupted.
    /// Returns how many were found interrupted.
    /// </summary>
    public Task<int> RequeueInterruptedAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return RequeueAsync(j => j.LeaseOwner == null || j.LeaseOwner == _instance || j.LeaseExpiresAt == null || j.LeaseExpiresAt < now,
            now, cancellationToken);
    }

    /// <summary>
    /// While running: jobs whose lease has passed (their instance died) go back to Queued, or Failed once their
    /// attempts are used up, as at start. Any instance may find them; each row is changed once.
    /// </summary>
    public Task<int> RequeueExpiredAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return RequeueAsync(j => j.LeaseExpiresAt != null && j.LeaseExpiresAt < now, now, cancellationToken);
    }

    private async Task<int> RequeueAsync(Expression<Func<JobRecord, bool>> interrupted, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Running).Where(interrupted).ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var job in found)
        {
            // Only the row as it was read: another instance may have re-queued and claimed it since (a new lease).
            var same = db.Jobs.Where(j => j.Id == job.Id && j.Status == JobStatus.Running && j.LeaseOwner == job.LeaseOwner
                && j.LeaseExpiresAt == job.LeaseExpiresAt);
            // The claim that started the run already counted it in Attempts.
            if (job.Attempts >= job.MaxAttempts)
            {
                if (await same.ExecuteUpdateAsync(s => s
                        .SetProperty(j => j.Status, JobStatus.Failed)
                        .SetProperty(j => j.Error, StoppedMessage(job.Attempts))
                        .SetProperty(j => j.ProgressMessage, "Failed")
                        .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                        .SetProperty(j => j.FinishedAt, now), cancellationToken) > 0)
                {
                    changed++;
                    LogGivenUp(logger, job.Id, job.Kind, job.Attempts);
                    notifier.Publish(new JobChange(job.Id, JobStatus.Failed));
                }
            }
            else if (await same.ExecuteUpdateAsync(s => s
                         .SetProperty(j => j.Status, JobStatus.Queued)
                         .SetProperty(j => j.StartedAt, (DateTime?)null)
                         .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                         .SetProperty(j => j.Error, string.Create(CultureInfo.InvariantCulture, $"Attempt {job.Attempts}: the portal stopped while running this job."))
                         .SetProperty(j => j.ProgressMessage, string.Create(CultureInfo.InvariantCulture,
                             $"Interrupted when the portal stopped (attempt {job.Attempts} of {job.MaxAttempts}); resumed on start")), cancellationToken) > 0)
            {
                changed++;
                LogResumed(logger, job.Id, job.Kind, job.Attempts, job.MaxAttempts);
                notifier.Publish(new JobChange(job.Id, JobStatus.Queued));
            }
        }

        return changed;
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
