using System.Security.Claims;
using System.Text.Json;
using Portal.Core.Accounts;
using Portal.Core.Jobs;

namespace Portal.Core.Segments;

/// <summary>
/// Segment refreshes as background jobs. Payloads: <c>{"rule": 12}</c> (one rule's segment: the Trigger button, the
/// API and the rule's own cron schedule), <c>{"rules": [12, 15]}</c> (several, in that order) and
/// <c>{"stale": true}</c> (every stale or never-run segment, in dependency order). Progress is one step per segment
/// asked for. Afterwards the segments that read what changed and were not refreshed here are queued, in dependency
/// order, as one more job. A failed refresh fails the job (so it is retried, and shown) after the others have run.
/// </summary>
public sealed class RefreshSegmentJob(SegmentRefresher refresher, JobQueue queue, SegmentAudiences audiences) : IJobHandler
{
    public const string Kind = "segments.refresh";
    public const string DisplayName = "Refresh segments";

    public static string PayloadFor(long ruleId) => JsonSerializer.Serialize(new { rule = ruleId });

    public static string PayloadFor(IEnumerable<long> ruleIds) => JsonSerializer.Serialize(new { rules = ruleIds });

    public const string StalePayload = """{"stale":true}""";

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var targets = await TargetsAsync(job.Payload, cancellationToken);
        if (targets.Count == 0)
        {
            await job.ReportAsync(1, 1, "Nothing to refresh", cancellationToken);
            return;
        }

        var failures = new List<string>();
        var pending = new HashSet<long>();
        for (var i = 0; i < targets.Count; i++)
        {
            var done = i;
            var report = await refresher.RefreshRuleAsync(targets[i], job.Id, async outcome =>
            {
                var what = outcome.Succeeded ? $"{outcome.Name}: {outcome.RowCount:N0} members" : $"{outcome.Name}: failed";
                await job.ReportAsync(outcome.RuleId == targets[done] ? done + 1 : done, targets.Count, what, cancellationToken);
            }, cancellationToken);
            failures.AddRange(report.Refreshed.Where(o => !o.Succeeded).Select(o => $"{o.Name}: {o.Error}"));
            foreach (var refreshed in report.Refreshed.Where(o => o.Succeeded))
            {
                // The audiences this segment feeds now hold old members: they fetch again and sync who joined and left.
                await audiences.QueueSyncAsync(refreshed.Name, cancellationToken);
            }

            pending.UnionWith(report.StaleDependents);
            pending.ExceptWith(report.Refreshed.Where(o => o.Succeeded).Select(o => o.RuleId));
            pending.ExceptWith(targets.Skip(i + 1));
        }

        if (pending.Count > 0)
        {
            var next = await refresher.InRefreshOrderAsync(pending, cancellationToken);
            await queue.EnqueueAsync(Kind, SystemPrincipal.Instance, PayloadFor(next), $"Refresh {next.Count} segment(s) that read what changed",
                cancellationToken: cancellationToken);
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", failures.Distinct(StringComparer.Ordinal)));
        }
    }

    private async Task<IReadOnlyList<long>> TargetsAsync(string? payload, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(payload) ? "{}" : payload);
        var root = document.RootElement;
        if (root.TryGetProperty("rule", out var rule))
        {
            return [rule.GetInt64()];
        }

        if (root.TryGetProperty("rules", out var rules))
        {
            return rules.EnumerateArray().Select(r => r.GetInt64()).ToList();
        }

        if (root.TryGetProperty("stale", out var stale) && stale.ValueKind == JsonValueKind.True)
        {
            return await refresher.StaleRulesAsync(cancellationToken);
        }

        throw new InvalidOperationException($"The payload '{payload}' names no segment: use {{\"rule\": id}}, {{\"rules\": [ids]}} or {StalePayload}.");
    }
}

/// <summary>How the UI and the API ask for a refresh: a queued job (see <see cref="RefreshSegmentJob"/>).</summary>
public static class SegmentRefreshQueue
{
    /// <summary>Queues the refresh of a rule's segment (the Trigger button, <c>POST /api/rules/{id}/trigger</c>).</summary>
    public static Task<JobRecord> EnqueueRefreshAsync(this JobQueue queue, long ruleId, string ruleName, ClaimsPrincipal user,
        CancellationToken cancellationToken = default) =>
        queue.EnqueueAsync(RefreshSegmentJob.Kind, user, RefreshSegmentJob.PayloadFor(ruleId), $"Refresh {ruleName}", cancellationToken: cancellationToken);

    /// <summary>Queues the refresh of every stale or never-run segment, in dependency order.</summary>
    public static Task<JobRecord> EnqueueStaleRefreshAsync(this JobQueue queue, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        queue.EnqueueAsync(RefreshSegmentJob.Kind, user, RefreshSegmentJob.StalePayload, "Refresh stale segments", cancellationToken: cancellationToken);
}
