using System.Security.Claims;
using Coravel.Queuing.Interfaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Jobs;

/// <summary>
/// Queues, cancels and retries jobs. The row is written first, then Coravel's in-memory queue is told to run it,
/// so a job queued just before a crash is still there (and run) after the restart.
/// Every command checks the caller's role here, on the server.
/// </summary>
public sealed class JobQueue(
    IDbContextFactory<PortalDbContext> dbFactory,
    IQueue coravel,
    JobExecutor executor,
    JobNotifier notifier,
    AuditLog audit,
    IEnumerable<JobKind> kinds,
    IOptions<JobOptions> options,
    TimeProvider clock)
{
    private readonly Dictionary<string, JobKind> _kinds = kinds.ToDictionary(k => k.Kind, StringComparer.Ordinal);

    public IReadOnlyCollection<JobKind> Kinds => _kinds.Values;

    public async Task<JobRecord> EnqueueAsync(string kind, ClaimsPrincipal user, string? payload = null, string? title = null,
        long? scheduleId = null, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("queue a job");
        if (!_kinds.TryGetValue(kind, out var info))
        {
            throw new ArgumentException($"Unknown job kind '{kind}'. Known kinds: {string.Join(", ", _kinds.Keys)}.", nameof(kind));
        }

        var job = new JobRecord
        {
            Kind = kind,
            Title = title ?? info.DisplayName,
            Payload = payload,
            Status = JobStatus.Queued,
            MaxAttempts = Math.Max(1, options.Value.MaxAttempts),
            RequestedBy = actor,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            ScheduleId = scheduleId,
        };
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Jobs.Add(job);
            await db.SaveChangesAsync(cancellationToken);
        }

        await audit.WriteAsync(actor, "job.queued", $"job:{job.Id}", job.Title, cancellationToken);
        notifier.Publish(new JobChange(job.Id, JobStatus.Queued));
        Dispatch(job.Id);
        return job;
    }

    /// <summary>
    /// Cancels a queued job at once; asks a running one to stop (its handler sees the token). Returns false when the
    /// job had already finished.
    /// </summary>
    public async Task<bool> CancelAsync(long id, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("cancel a job");
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var cancelledQueued = await db.Jobs
            .Where(j => j.Id == id && j.Status == JobStatus.Queued)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Cancelled)
                .SetProperty(j => j.CancelRequested, true)
                .SetProperty(j => j.NotBefore, (DateTime?)null)
                .SetProperty(j => j.FinishedAt, now), cancellationToken);
        var changed = cancelledQueued > 0;
        if (!changed)
        {
            changed = await db.Jobs
                .Where(j => j.Id == id && j.Status == JobStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true), cancellationToken) > 0;
            if (changed)
            {
                executor.RequestCancel(id);
            }
        }

        if (changed)
        {
            await audit.WriteAsync(actor, "job.cancelled", $"job:{id}", null, cancellationToken);
            notifier.Publish(new JobChange(id, cancelledQueued > 0 ? JobStatus.Cancelled : JobStatus.Running));
        }

        return changed;
    }

    /// <summary>Runs a failed or cancelled job again from the start, with a fresh set of attempts.</summary>
    public async Task<bool> RetryAsync(long id, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("retry a job");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var changed = await db.Jobs
            .Where(j => j.Id == id && (j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Queued)
                .SetProperty(j => j.Attempts, 0)
                .SetProperty(j => j.ProgressDone, 0)
                .SetProperty(j => j.ProgressMessage, (string?)null)
                .SetProperty(j => j.CancelRequested, false)
                .SetProperty(j => j.NotBefore, (DateTime?)null)
                .SetProperty(j => j.StartedAt, (DateTime?)null)
                .SetProperty(j => j.FinishedAt, (DateTime?)null), cancellationToken) > 0;
        if (changed)
        {
            await audit.WriteAsync(actor, "job.retried", $"job:{id}", null, cancellationToken);
            notifier.Publish(new JobChange(id, JobStatus.Queued));
            Dispatch(id);
        }

        return changed;
    }

    /// <summary>Hands a queued job to Coravel's queue; the runner claims the row, so a double dispatch runs it once.</summary>
    internal void Dispatch(long id) => coravel.QueueInvocableWithPayload<JobRunner, long>(id);
}
