using Coravel.Invocable;
using Portal.Core.Accounts;
using Portal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Jobs;

/// <summary>
/// Scheduled by Coravel every second: dispatches retries whose backoff has passed and queues a job for every cron
/// schedule that is due. Does nothing until the database is ready.
/// </summary>
public sealed class JobPump(
    DatabaseStatus status,
    IDbContextFactory<PortalDbContext> dbFactory,
    JobQueue queue,
    JobSchedules schedules,
    TimeProvider clock) : IInvocable
{
    public async Task Invoke()
    {
        if (!status.IsReady)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await DispatchDueRetriesAsync(now);
        foreach (var schedule in await schedules.ClaimDueAsync(now))
        {
            await queue.EnqueueAsync(schedule.Kind, SystemPrincipal.Instance, schedule.Payload, $"{schedule.Name} (scheduled)", schedule.Id);
        }
    }

    private async Task DispatchDueRetriesAsync(DateTime now)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var due = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued && j.NotBefore != null && j.NotBefore <= now)
            .Select(j => j.Id)
            .ToListAsync();
        foreach (var id in due)
        {
            queue.Dispatch(id);
        }
    }
}
