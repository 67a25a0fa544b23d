using System.Security.Claims;
using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Data;

namespace Portal.Core.Jobs;

public sealed class ScheduleValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Recurring jobs: create, enable, delete, and queue the ones that are due. People add schedules only for the kinds
/// they may start (<see cref="JobKind.StartableByPeople"/>); a schedule runs at most once every
/// <see cref="JobOptions.MinScheduleIntervalSeconds"/>.
/// </summary>
public sealed class JobSchedules(IDbContextFactory<PortalDbContext> dbFactory, IEnumerable<JobKind> kinds, AuditLog audit, IOptions<JobOptions> options,
    TimeProvider clock)
{
    /// <summary>The shortest time a schedule may leave between two runs.</summary>
    public TimeSpan MinInterval => TimeSpan.FromSeconds(Math.Max(0, options.Value.MinScheduleIntervalSeconds));

    /// <summary>Parses a schedule's cron; false with the reason when it is not cron or runs more often than <see cref="MinInterval"/>.</summary>
    public bool TryParseCron(string? cron, out CronExpression? expression, out string? error) =>
        CronSchedule.TryParse(cron, MinInterval, out expression, out error);

    public async Task<IReadOnlyList<JobSchedule>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.JobSchedules.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken);
    }

    public async Task<JobSchedule> CreateAsync(string name, string kind, string cron, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("change schedules");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ScheduleValidationException("Name", "Name is required.");
        }

        try
        {
            JobQueue.StartRuleOf(kinds, kind);
        }
        catch (JobStartException ex)
        {
            throw new ScheduleValidationException("Kind", ex.Message);
        }

        if (!TryParseCron(cron, out var expression, out var error))
        {
            throw new ScheduleValidationException("Cron", error!);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var schedule = new JobSchedule
        {
            Name = name.Trim(),
            Kind = kind,
            Cron = cron.Trim(),
            CreatedBy = actor,
            CreatedAt = now,
            NextRunAt = expression!.GetNextOccurrence(now, TimeZoneInfo.Utc),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.JobSchedules.AnyAsync(s => s.Name == schedule.Name, cancellationToken))
        {
            throw new ScheduleValidationException("Name", $"A schedule named '{schedule.Name}' already exists.");
        }

        db.JobSchedules.Add(schedule);
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync(actor, "schedule.created", $"schedule:{schedule.Id}", $"{schedule.Name} ({schedule.Cron})", cancellationToken);
        return schedule;
    }

    /// <summary>
    /// Keeps the one schedule that queues <paramref name="kind"/> with exactly <paramref name="payload"/> (a rule's
    /// refresh, say) in step with its owner: created when missing, renamed and re-timed when changed, deleted when
    /// <paramref name="cron"/> is empty. A name another schedule already has gets a number, " (2)". Returns the
    /// schedule, or null when there is none (any more).
    /// </summary>
    public async Task<JobSchedule?> SetForPayloadAsync(string name, string kind, string payload, string? cron, ClaimsPrincipal user,
        CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("change schedules");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var existing = await db.JobSchedules.Where(s => s.Kind == kind && s.Payload == payload).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(cron))
        {
            db.JobSchedules.RemoveRange(existing);
            await db.SaveChangesAsync(cancellationToken);
            foreach (var gone in existing)
            {
                await audit.WriteAsync(actor, "schedule.deleted", $"schedule:{gone.Id}", gone.Name, cancellationToken);
            }

            return null;
        }

        if (!kinds.Any(k => k.Kind == kind))
        {
            throw new ScheduleValidationException("Kind", $"Unknown job kind '{kind}'.");
        }

        if (!TryParseCron(cron, out var expression, out var error))
        {
            throw new ScheduleValidationException("Cron", error!);
        }

        var schedule = existing.FirstOrDefault();
        db.JobSchedules.RemoveRange(existing.Skip(1));
        var now = clock.GetUtcNow().UtcDateTime;
        var wanted = name.Trim();
        var taken = await db.JobSchedules.Where(s => s.Name.StartsWith(wanted) && s.Id != (schedule == null ? 0 : schedule.Id))
            .Select(s => s.Name).ToListAsync(cancellationToken);
        var unique = Enumerable.Range(1, taken.Count + 1).Select(i => i == 1 ? wanted : $"{wanted} ({i})").First(n => !taken.Contains(n));
        var created = schedule is null;
        if (schedule is null)
        {
            schedule = new JobSchedule { Name = unique, Kind = kind, Payload = payload, Cron = cron.Trim(), CreatedBy = actor, CreatedAt = now };
            schedule.NextRunAt = expression!.GetNextOccurrence(now, TimeZoneInfo.Utc);
            db.JobSchedules.Add(schedule);
        }
        else if (schedule.Name == unique && schedule.Cron == cron.Trim() && existing.Count == 1)
        {
            return schedule;
        }
        else
        {
            schedule.Name = unique;
            if (schedule.Cron != cron.Trim())
            {
                schedule.Cron = cron.Trim();
                schedule.NextRunAt = schedule.Enabled ? expression!.GetNextOccurrence(now, TimeZoneInfo.Utc) : null;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync(actor, created ? "schedule.created" : "schedule.updated", $"schedule:{schedule.Id}", $"{schedule.Name} ({schedule.Cron})", cancellationToken);
        return schedule;
    }

    public async Task SetEnabledAsync(long id, bool enabled, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("change schedules");
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var schedule = await db.JobSchedules.SingleAsync(s => s.Id == id, cancellationToken);
        CronExpression? expression = null;
        if (enabled && !TryParseCron(schedule.Cron, out expression, out var error))
        {
            throw new ScheduleValidationException("Cron", error!);
        }

        schedule.Enabled = enabled;
        schedule.NextRunAt = expression?.GetNextOccurrence(now, TimeZoneInfo.Utc);
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync(actor, enabled ? "schedule.enabled" : "schedule.disabled", $"schedule:{id}", schedule.Name, cancellationToken);
    }

    public async Task DeleteAsync(long id, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("change schedules");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.JobSchedules.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            await audit.WriteAsync(actor, "schedule.deleted", $"schedule:{id}", null, cancellationToken);
        }
    }

    /// <summary>
    /// Claims the schedules due at <paramref name="now"/> (moving each one's next run forward, so two callers cannot
    /// both take it) and returns them for queueing. A run missed while the app was down is run once, not once per miss.
    /// The next run is at least <see cref="MinInterval"/> after this one, even for a schedule stored before that limit.
    /// </summary>
    internal async Task<IReadOnlyList<JobSchedule>> ClaimDueAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.JobSchedules.AsNoTracking()
            .Where(s => s.Enabled && s.NextRunAt != null && s.NextRunAt <= now)
            .ToListAsync(cancellationToken);
        var claimed = new List<JobSchedule>();
        foreach (var schedule in due)
        {
            var previous = schedule.NextRunAt;
            var earliest = previous!.Value + MinInterval - TimeSpan.FromTicks(1);
            DateTime? next = CronSchedule.TryParse(schedule.Cron, TimeSpan.Zero, out var expression, out _)
                ? expression!.GetNextOccurrence(earliest > now ? earliest : now, TimeZoneInfo.Utc)
                : null;
            var rows = await db.JobSchedules
                .Where(s => s.Id == schedule.Id && s.NextRunAt == previous)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextRunAt, next).SetProperty(x => x.LastRunAt, now), cancellationToken);
            if (rows > 0)
            {
                claimed.Add(schedule);
            }
        }

        return claimed;
    }
}
