using Coravel.Invocable;
using Portal.Core.Accounts;
using Portal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Jobs;

/// <summary>
/// Scheduled by Coravel every second: re-queues jobs whose instance died (their lease passed), dispatches every queued
/// job that is due (retries whose backoff has passed, and jobs another instance queued but did not run), and queues a
/// job for every cron schedule that is due. Does nothing until the database is ready.
/// </summary>
public sealed class JobPump(
    DatabaseStatus status,
    IDbContextFactory<PortalDbContext> dbFactory,
    JobQueue queue,
    JobSchedules schedules,
    JobRecovery recovery,
    TimeProvider clock) : IInvocable
{
    public async Task Invoke()
    {
        if (!status.IsReady)
        {
            return;
        }

        await recovery.RequeueExpiredAsync();
        var now = clock.GetUtcNow().UtcDateTime;
        await DispatchDueAsync(now);
        foreach (var schedule in await schedules.ClaimDueAsync(now))
        {
            await queue.EnqueueAsync(schedule.Kind, SystemPrincipal.Instance, schedule.Payload, $"{schedule.Name} (scheduled)", schedule.Id);
        }
    }

    /// <summary>The oldest due queued jobs, at most this many a second; the executor holds each id once.</summary>
    private const int DispatchBatch = 200;

    private async Task DispatchDueAsync(DateTime now)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var due = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued && !j.CancelRequested && (j.NotBefore == null || j.NotBefore <= now))
            .OrderBy(j => j.Id)
            .Take(DispatchBatch)
            .Select(j => j.Id)
            .ToListAsync();
        foreach (var id in due)
        {
            queue.Dispatch(id);
        }
    }
}
