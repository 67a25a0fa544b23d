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
/// Every command checks the caller's role here, on the server. People start jobs from outside through
/// <see cref="StartAsync"/> (only the kinds registered with a <see cref="JobStartRule"/>); <see cref="EnqueueAsync"/> is
/// for the code that owns a kind, which builds its payload itself.
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

    /// <summary>The longest title a job may have (the column's length).</summary>
    public const int MaxTitleLength = 200;

    public IReadOnlyCollection<JobKind> Kinds => _kinds.Values;

    /// <summary>The kinds people may start from outside, by display name.</summary>
    public IReadOnlyList<JobKind> StartableKinds => [.. _kinds.Values.Where(k => k.StartableByPeople).OrderBy(k => k.DisplayName, StringComparer.Ordinal)];

    /// <summary>
    /// Queues a job a person asked for from outside (the API, the Jobs page): only a kind people may start, with a
    /// payload its <see cref="JobStartRule"/> accepts and a title of at most <see cref="MaxTitleLength"/> characters.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A Viewer, or no one signed in.</exception>
    /// <exception cref="JobStartException">An unknown or internal kind, a payload the kind does not take, a title too long.</exception>
    public Task<JobRecord> StartAsync(string? kind, ClaimsPrincipal user, string? payload = null, string? title = null,
        CancellationToken cancellationToken = default)
    {
        user.RequireOperator("queue a job");
        var rule = StartRuleOf(kind);
        var stored = rule.Check(kind!, payload);
        title = string.IsNullOrWhiteSpace(title) ? null : title.Trim();
        if (title?.Length > MaxTitleLength)
        {
            throw new JobStartException("title", $"The title is {title.Length} characters long; at most {MaxTitleLength}.");
        }

        return EnqueueAsync(kind!, user, stored, title, cancellationToken: cancellationToken);
    }

    /// <summary>The rule of a kind people may start.</summary>
    /// <exception cref="JobStartException">No such kind, or an internal one.</exception>
    public JobStartRule StartRuleOf(string? kind) => StartRuleOf(_kinds.Values, kind);

    internal static JobStartRule StartRuleOf(IEnumerable<JobKind> kinds, string? kind)
    {
        var startable = kinds.Where(k => k.StartableByPeople).Select(k => k.Kind).Order(StringComparer.Ordinal).ToList();
        if (string.IsNullOrWhiteSpace(kind))
        {
            throw new JobStartException("kind", $"Give the job's kind: one of {string.Join(", ", startable)}.");
        }

        var found = kinds.FirstOrDefault(k => k.Kind == kind);
        var shown = kind.Length > 100 ? kind[..100] + "…" : kind;
        return found?.StartRule ?? throw new JobStartException("kind", found is null
            ? $"Unknown job kind '{shown}'. Jobs that can be started: {string.Join(", ", startable)}."
            : $"The job '{shown}' is started by the portal itself, not by request. Jobs that can be started: {string.Join(", ", startable)}.");
    }

    /// <summary>
    /// Queues a job for the code that owns its kind, with the payload that code built (an upload's import, a rule's
    /// refresh, a scheduled run). Input from people goes through <see cref="StartAsync"/> instead.
    /// </summary>
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
