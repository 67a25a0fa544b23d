using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Jobs;

/// <summary>
/// At start-up: jobs left Running by a process that died go back to Queued, and every queued job is handed to
/// Coravel again (its in-memory queue forgot them).
/// </summary>
public sealed class JobRecovery(IDbContextFactory<PortalDbContext> dbFactory, JobQueue queue, JobNotifier notifier)
{
    public async Task<int> RecoverAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Jobs.Where(j => j.Status == JobStatus.Running).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Queued)
            .SetProperty(j => j.Attempts, j => j.Attempts > 0 ? j.Attempts - 1 : 0)
            .SetProperty(j => j.StartedAt, (DateTime?)null)
            .SetProperty(j => j.ProgressMessage, "Interrupted when the portal stopped; resumed on start"), cancellationToken);
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
}
