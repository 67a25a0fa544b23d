using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;
using Portal.Core.Rules;

namespace Portal.Core.Segments;

/// <summary>One segment refreshed (or not): its rows, how long, and the error when it failed.</summary>
public sealed record SegmentRefreshOutcome(long SegmentId, long RuleId, string Name, bool Succeeded, long? RowCount, long DurationMs, string? Error);

/// <summary>
/// What a refresh did: every segment it refreshed, dependencies first and the one asked for last, and the rules whose
/// segments it made stale (dependents, in refresh order), which someone should refresh next.
/// </summary>
public sealed record SegmentRefreshReport(IReadOnlyList<SegmentRefreshOutcome> Refreshed, IReadOnlyList<long> StaleDependents)
{
    public SegmentRefreshOutcome Target => Refreshed[^1];
}

/// <summary>
/// Recomputes segments inside the database. One segment's refresh is one transaction: <c>DELETE</c> its members, then
/// <c>INSERT … SELECT</c> them from the compiled rule, then record the row count, the SQL run, the duration and the
/// time in <c>segment_catalog</c> and a <c>segment_refreshes</c> row, and mark the segments that read it Stale. A
/// failure rolls all of that back (the previous members stay) and is recorded instead: status Failed, the error on
/// the segment and on a failed <c>segment_refreshes</c> row. Segments the rule reads that are not fresh (never run,
/// stale, failed, or left Refreshing by a stopped run) are refreshed first, dependencies before dependents; if one
/// fails, so does the refresh asked for. Queueing the stale dependents is the caller's (<see cref="RefreshSegmentJob"/>).
/// </summary>
public sealed class SegmentRefresher(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<SegmentRefresher> logger)
{
    public Task<SegmentRefreshReport> RefreshAsync(long segmentId, long? jobId = null, CancellationToken cancellationToken = default) =>
        RefreshAsync(segmentId, jobId, null, cancellationToken);

    /// <param name="onRefreshed">Told after each segment (dependencies too), e.g. to report a job's progress.</param>
    public async Task<SegmentRefreshReport> RefreshAsync(long segmentId, long? jobId, Func<SegmentRefreshOutcome, Task>? onRefreshed,
        CancellationToken cancellationToken)
    {
        var graph = await GraphAsync(cancellationToken);
        if (!graph.RuleOfSegment.TryGetValue(segmentId, out var ruleId))
        {
            throw new KeyNotFoundException($"There is no segment {segmentId}.");
        }

        var outcomes = new List<SegmentRefreshOutcome>();
        foreach (var dependency in graph.DependenciesInOrder(ruleId))
        {
            if (!graph.SegmentOfRule.TryGetValue(dependency, out var dependencySegment)
                || await StatusAsync(dependencySegment, cancellationToken) == SegmentStatus.Fresh)
            {
                continue;
            }

            var outcome = await RefreshOneAsync(dependencySegment, dependency, graph, jobId, cancellationToken);
            outcomes.Add(outcome);
            if (onRefreshed is not null)
            {
                await onRefreshed(outcome);
            }

            if (!outcome.Succeeded)
            {
                var failed = await RecordFailureAsync(segmentId, ruleId, jobId, clock.GetUtcNow().UtcDateTime, clock.GetTimestamp(), null,
                    $"The segment '{outcome.Name}', which this one reads, failed to refresh: {outcome.Error}");
                outcomes.Add(failed);
                if (onRefreshed is not null)
                {
                    await onRefreshed(failed);
                }

                return new SegmentRefreshReport(outcomes, StaleAfter(graph, outcomes));
            }
        }

        var target = await RefreshOneAsync(segmentId, ruleId, graph, jobId, cancellationToken);
        outcomes.Add(target);
        if (onRefreshed is not null)
        {
            await onRefreshed(target);
        }

        return new SegmentRefreshReport(outcomes, StaleAfter(graph, outcomes));
    }

    /// <summary>Refreshes a rule's segment (see <see cref="RefreshAsync(long, long?, CancellationToken)"/>).</summary>
    public async Task<SegmentRefreshReport> RefreshRuleAsync(long ruleId, long? jobId, Func<SegmentRefreshOutcome, Task>? onRefreshed,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var segmentId = await db.Segments.Where(s => s.RuleId == ruleId).Select(s => (long?)s.Id).SingleOrDefaultAsync(cancellationToken)
                        ?? throw new KeyNotFoundException($"There is no rule {ruleId} (or it has no segment).");
        return await RefreshAsync(segmentId, jobId, onRefreshed, cancellationToken);
    }

    /// <summary>The rules whose segments are stale or have never run, in refresh order.</summary>
    public async Task<IReadOnlyList<long>> StaleRulesAsync(CancellationToken cancellationToken = default)
    {
        var graph = await GraphAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stale = await db.Segments.AsNoTracking().Where(s => s.Status == SegmentStatus.Stale || s.Status == SegmentStatus.NeverRun)
            .Select(s => s.RuleId).ToListAsync(cancellationToken);
        return graph.InOrder(stale);
    }

    /// <summary>These rules in refresh order (each after the rules it reads).</summary>
    public async Task<IReadOnlyList<long>> InRefreshOrderAsync(IEnumerable<long> ruleIds, CancellationToken cancellationToken = default) =>
        (await GraphAsync(cancellationToken)).InOrder(ruleIds);

    internal const string DeleteSql = "DELETE FROM segment_members WHERE segment_id = @segment_id";

    /// <summary>The statement that fills a segment from its compiled rule (the segment's id is <c>@segment_id</c>).</summary>
    internal static string InsertSql(CompiledQuery query) =>
        $"INSERT INTO segment_members (segment_id, user_id)\nSELECT @segment_id, q.user_id FROM (\n{query.Sql}\n) q";

    private async Task<RuleGraph> GraphAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await RuleGraph.LoadAsync(db, cancellationToken);
    }

    private async Task<SegmentStatus> StatusAsync(long segmentId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Segments.Where(s => s.Id == segmentId).Select(s => s.Status).SingleAsync(cancellationToken);
    }

    private static List<long> StaleAfter(RuleGraph graph, IEnumerable<SegmentRefreshOutcome> outcomes) =>
        graph.DependentsInOrder(outcomes.Where(o => o.Succeeded).Select(o => o.RuleId)).ToList();

    private async Task<SegmentRefreshOutcome> RefreshOneAsync(long segmentId, long ruleId, RuleGraph graph, long? jobId, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow().UtcDateTime;
        var timestamp = clock.GetTimestamp();
        string? sql = null;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var rule = await db.Rules.AsNoTracking().SingleAsync(r => r.Id == ruleId, cancellationToken);
            await db.Segments.Where(s => s.Id == segmentId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SegmentStatus.Refreshing), cancellationToken);

            var dialect = db.Database.Provider();
            var query = RuleCompiler.Compile(RuleService.ToDraft(rule), dialect, started, graph.SegmentOfRule);
            (string, object?)[] segmentParameter = [("@segment_id", segmentId)];
            var insert = InsertSql(query);
            IReadOnlyList<(string, object?)> parameters = [.. segmentParameter, .. query.Parameters];
            sql = $"{DeleteSql};\n{insert};\n{CompiledQuery.Listing(parameters)}";

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.ExecuteAsync(DeleteSql, segmentParameter, cancellationToken);
            var rows = await db.ExecuteAsync(insert, parameters, cancellationToken);
            var finished = clock.GetUtcNow().UtcDateTime;
            var duration = (long)clock.GetElapsedTime(timestamp).TotalMilliseconds;
            var segment = await db.Segments.SingleAsync(s => s.Id == segmentId, cancellationToken);
            segment.Status = SegmentStatus.Fresh;
            segment.RowCount = rows;
            segment.SqlQuery = sql;
            segment.LastRefreshedAt = finished;
            segment.LastDurationMs = duration;
            segment.LastError = null;
            segment.StaleSince = null;
            db.SegmentRefreshes.Add(new SegmentRefresh
            {
                SegmentId = segmentId, JobId = jobId, StartedAt = started, FinishedAt = finished, Succeeded = true, RowCount = rows,
                DurationMs = duration, SqlQuery = sql,
            });
            await db.SaveChangesAsync(cancellationToken);

            // What reads this segment is now behind it.
            var dependents = graph.DependentsInOrder([ruleId]).Select(r => graph.SegmentOfRule.GetValueOrDefault(r, -1)).ToList();
            if (dependents.Count > 0)
            {
                await db.Segments.Where(s => dependents.Contains(s.Id)).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, x => x.Status == SegmentStatus.Fresh ? SegmentStatus.Stale : x.Status)
                    .SetProperty(x => x.StaleSince, x => x.StaleSince ?? finished), cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return new SegmentRefreshOutcome(segmentId, ruleId, rule.Name, true, rows, duration, null);
        }
#pragma warning disable CA1031 // every failure is recorded on the segment and its history (and logged); cancellation is rethrown after
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var cancelled = ex is OperationCanceledException && cancellationToken.IsCancellationRequested;
            var outcome = await RecordFailureAsync(segmentId, ruleId, jobId, started, timestamp, sql, cancelled ? "The refresh was cancelled." : ex.Message);
            logger.LogWarning(ex, "Refreshing segment {SegmentId} (rule {RuleId}) failed", segmentId, ruleId);
            if (cancelled)
            {
                throw;
            }

            return outcome;
        }
    }

    private async Task<SegmentRefreshOutcome> RecordFailureAsync(long segmentId, long ruleId, long? jobId, DateTime started, long timestamp, string? sql, string error)
    {
        // Written even when the refresh was cancelled: the failure must be visible.
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var finished = clock.GetUtcNow().UtcDateTime;
        var duration = (long)clock.GetElapsedTime(timestamp).TotalMilliseconds;
        var segment = await db.Segments.SingleAsync(s => s.Id == segmentId);
        segment.Status = SegmentStatus.Failed;
        segment.LastError = error;
        db.SegmentRefreshes.Add(new SegmentRefresh
        {
            SegmentId = segmentId, JobId = jobId, StartedAt = started, FinishedAt = finished, Succeeded = false, DurationMs = duration,
            SqlQuery = sql, Error = error,
        });
        await db.SaveChangesAsync();
        return new SegmentRefreshOutcome(segmentId, ruleId, segment.Name, false, null, duration, error);
    }
}
