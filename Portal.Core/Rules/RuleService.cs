using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Segments;

namespace Portal.Core.Rules;

/// <summary>What a save did: the saved rule, or why not (issues), or that someone else saved it first.</summary>
public sealed record RuleSaveResult(Rule? Rule, IReadOnlyList<RuleIssue> Issues, bool Conflict = false)
{
    public bool Saved => Rule is not null;
}

/// <summary>What uses a rule's segment: rules combining it or testing membership, and audiences fed by it.</summary>
public sealed record WhereUsed(IReadOnlyList<(long Id, string Name)> Rules, IReadOnlyList<string> Audiences)
{
    public bool IsUsed => Rules.Count > 0 || Audiences.Count > 0;
}

/// <summary>
/// Saves, duplicates and deletes rules, each with its segment: validation first (<see cref="RuleValidator"/>, then
/// unique names, segments that exist, no cycles between rules), optimistic concurrency, an audit entry per change.
/// A saved change makes the rule's segment stale. Deleting a rule whose segment is used elsewhere is refused.
/// A rule's cron schedule is kept as one job schedule (kind <see cref="RefreshSegmentJob.Kind"/>, payload
/// <c>{"rule": id}</c>, named "Refresh &lt;rule name&gt;"): created, updated or deleted with the rule.
/// </summary>
public sealed class RuleService(IDbContextFactory<PortalDbContext> dbFactory, AudienceQueries audiences, AuditLog audit, JobSchedules schedules, TimeProvider clock)
{
    public static RuleDraft ToDraft(Rule rule) =>
        new(rule.Name, rule.Description, ConditionJson.Read(rule.Conditions), rule.Schedule, rule.StartDate, rule.EndDate, rule.DependsOn, rule.Operation);

    public async Task<Rule?> FindAsync(long ruleId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Rules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ruleId, cancellationToken);
    }

    /// <summary>Every problem with the draft, including those that need the database.</summary>
    public async Task<IReadOnlyList<RuleIssue>> ValidateAsync(long? ruleId, RuleDraft draft, CancellationToken cancellationToken = default)
    {
        var issues = RuleValidator.Validate(draft).ToList();
        if (!string.IsNullOrWhiteSpace(draft.Schedule) && issues.All(i => i.Field != "schedule") && !schedules.TryParseCron(draft.Schedule, out _, out var cronError))
        {
            issues.Add(new(null, "schedule", cronError!)); // the configured minimum interval, when it is longer than the default
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var name = draft.Name.Trim();
        if (name.Length > 0 && await db.Rules.AnyAsync(r => r.Name == name && r.Id != (ruleId ?? 0), cancellationToken))
        {
            issues.Add(new(null, "name", $"A rule named '{name}' already exists."));
        }

        var names = await db.Rules.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken);
        var graph = await RuleGraph.LoadAsync(db, cancellationToken);
        foreach (var missing in draft.DependsOn.Where(d => !names.ContainsKey(d)))
        {
            issues.Add(new(null, "depends_on", $"There is no rule {missing}."));
        }

        foreach (var s in ConditionTree.All(draft.Root).OfType<SegmentCondition>().Where(s => !graph.RuleOfSegment.ContainsKey(s.SegmentId)))
        {
            issues.Add(new(s.Id, "segment_id", $"There is no segment {s.SegmentId}."));
        }

        if (ruleId is { } id && graph.With(id, RuleGraph.ReadsOf(draft.DependsOn, draft.Root, graph.RuleOfSegment)).CycleThrough(id) is { } cycle)
        {
            names[id] = name;
            issues.Add(new(null, "depends_on", $"This would make a cycle: {string.Join(" → ", cycle.Select(c => names.GetValueOrDefault(c, c.ToString(System.Globalization.CultureInfo.InvariantCulture))))}."));
        }

        return issues;
    }

    public async Task<RuleSaveResult> SaveAsync(long? ruleId, RuleDraft draft, int? expectedVersion, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("edit rules");
        var issues = await ValidateAsync(ruleId, draft, cancellationToken);
        if (issues.Count > 0)
        {
            return new RuleSaveResult(null, issues);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        Rule rule;
        if (ruleId is { } id)
        {
            rule = await db.Rules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new KeyNotFoundException($"There is no rule {id}.");
            if (expectedVersion is { } v && rule.Version != v)
            {
                return new RuleSaveResult(null, [new(null, "version", $"{rule.UpdatedBy} saved this rule at {rule.UpdatedAt:yyyy-MM-dd HH:mm:ss} UTC, after you opened it.")], Conflict: true);
            }
        }
        else
        {
            rule = new Rule { Name = "", Conditions = "", CreatedAt = now, CreatedBy = actor, UpdatedBy = actor };
            db.Rules.Add(rule);
        }

        rule.Name = draft.Name.Trim();
        rule.Description = string.IsNullOrWhiteSpace(draft.Description) ? null : draft.Description.Trim();
        rule.Conditions = ConditionJson.Write(draft.Root);
        rule.Schedule = string.IsNullOrWhiteSpace(draft.Schedule) ? null : draft.Schedule.Trim();
        rule.StartDate = draft.StartDate;
        rule.EndDate = draft.EndDate;
        rule.DependsOn = draft.DependsOn.ToList();
        rule.Operation = draft.Operation;
        rule.UpdatedAt = now;
        rule.UpdatedBy = actor;
        rule.Version++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new RuleSaveResult(null, [new(null, "version", "Someone else saved this rule meanwhile; reload it.")], Conflict: true);
        }

        var segment = await db.Segments.SingleOrDefaultAsync(s => s.RuleId == rule.Id, cancellationToken);
        if (segment is null)
        {
            db.Segments.Add(new Segment { RuleId = rule.Id, Name = rule.Name, Description = rule.Description, Status = SegmentStatus.NeverRun });
        }
        else
        {
            segment.Name = rule.Name;
            segment.Description = rule.Description;
            if (segment.Status is SegmentStatus.Fresh)
            {
                segment.Status = SegmentStatus.Stale;
                segment.StaleSince = now;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await audit.WriteAsync(actor, ruleId is null ? "rule.created" : "rule.saved", $"rule:{rule.Id}", rule.Name, cancellationToken);
        await SyncScheduleAsync(rule.Id, rule.Name, rule.Schedule, user, cancellationToken);
        return new RuleSaveResult(rule, []);
    }

    public async Task<WhereUsed> WhereUsedAsync(long ruleId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var segment = await db.Segments.AsNoTracking().SingleOrDefaultAsync(s => s.RuleId == ruleId, cancellationToken);
        var graph = await RuleGraph.LoadAsync(db, cancellationToken);
        var readers = graph.ReadBy(ruleId).ToHashSet();
        var users = (await db.Rules.AsNoTracking().Where(r => readers.Contains(r.Id)).Select(r => new { r.Id, r.Name }).ToListAsync(cancellationToken))
            .OrderBy(r => r.Id).Select(r => (r.Id, r.Name)).ToList();
        var fed = new List<string>();
        if (segment is not null)
        {
            fed.AddRange((await audiences.FedByAsync(segment.Name, validOnly: false, cancellationToken)).Select(a => a.Name));
        }

        return new WhereUsed(users, fed);
    }

    /// <summary>Deletes a rule and its segment, unless something uses the segment (then nothing is deleted).</summary>
    public async Task<WhereUsed> DeleteAsync(long ruleId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("delete rules");
        var used = await WhereUsedAsync(ruleId, cancellationToken);
        if (used.IsUsed)
        {
            return used;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rule = await db.Rules.SingleOrDefaultAsync(r => r.Id == ruleId, cancellationToken) ?? throw new KeyNotFoundException($"There is no rule {ruleId}.");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var segmentIds = await db.Segments.Where(s => s.RuleId == ruleId).Select(s => s.Id).ToListAsync(cancellationToken);
        await db.SegmentMembers.Where(m => segmentIds.Contains(m.SegmentId)).ExecuteDeleteAsync(cancellationToken);
        await db.SegmentRefreshes.Where(r => segmentIds.Contains(r.SegmentId)).ExecuteDeleteAsync(cancellationToken);
        await db.Segments.Where(s => s.RuleId == ruleId).ExecuteDeleteAsync(cancellationToken);
        db.Rules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await audit.WriteAsync(actor, "rule.deleted", $"rule:{ruleId}", rule.Name, cancellationToken);
        await SyncScheduleAsync(ruleId, rule.Name, null, user, cancellationToken);
        return used;
    }

    /// <summary>A copy named "<name> (copy)" (or "(copy 2)", …), with a segment of its own that has never run.</summary>
    public async Task<Rule> DuplicateAsync(long ruleId, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        user.RequireOperator("duplicate rules");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rule = await db.Rules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ruleId, cancellationToken) ?? throw new KeyNotFoundException($"There is no rule {ruleId}.");
        var names = await db.Rules.Select(r => r.Name).ToListAsync(cancellationToken);
        var name = Enumerable.Range(1, 1000).Select(i => i == 1 ? $"{rule.Name} (copy)" : $"{rule.Name} (copy {i})").First(n => !names.Contains(n));
        var result = await SaveAsync(null, ToDraft(rule) with { Name = name }, null, user, cancellationToken);
        return result.Rule ?? throw new InvalidOperationException(string.Join("; ", result.Issues));
    }

    /// <summary>The rule's cron as one job schedule (kind segments.refresh, payload {"rule": id}), or none.</summary>
    private Task SyncScheduleAsync(long ruleId, string name, string? cron, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        schedules.SetForPayloadAsync($"Refresh {name}", RefreshSegmentJob.Kind, RefreshSegmentJob.PayloadFor(ruleId), cron, user, cancellationToken);
}
