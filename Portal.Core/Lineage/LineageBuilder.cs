using Microsoft.EntityFrameworkCore;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Core.Lineage;

/// <summary>
/// Builds the <see cref="LineageGraph"/> from the database (tables, rules, segments, export runs, jobs, and the audience
/// index of the bucket's state files, reconciled first when it is due). Adtech destinations are one node per adtech, with one export edge per audience carrying
/// that audience's status there: the graph stays small (four adtech nodes however many audiences), and an adtech's
/// impact is simply nothing downstream. Read-only; builds the whole graph on each call.
/// </summary>
public sealed class LineageBuilder(
    IDbContextFactory<PortalDbContext> dbFactory,
    AudienceIndex index,
    IEnumerable<ILineageContributor> contributors)
{
    public static string TableId(string table) => $"table:{table}";

    public static string RuleId(long id) => $"rule:{id}";

    public static string SegmentId(long id) => $"segment:{id}";

    public static string AudienceId(string name) => $"audience:{name}";

    public static string AdtechId(string key) => $"adtech:{key}";

    public static string SourceId(string endpoint) => $"source:{endpoint}";

    public static string JobId(string kind) => $"job:{kind}";

    public async Task<LineageGraph> BuildAsync(CancellationToken cancellationToken = default)
    {
        var nodes = new List<LineageNode>();
        var edges = new List<LineageEdge>();
        var problems = new List<string>();

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            nodes.Add(Table(RuleTables.Users, await db.Customers.LongCountAsync(cancellationToken)));
            nodes.Add(Table(RuleTables.CreditCard, await db.CreditCardTransactions.LongCountAsync(cancellationToken)));
            nodes.Add(Table(RuleTables.Upi, await db.UpiTransactions.LongCountAsync(cancellationToken)));

            var lastJobs = await LatestJobsAsync(db, cancellationToken);
            var lastRefresh = await db.SegmentRefreshes.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            nodes.Add(RefreshJob(lastJobs.GetValueOrDefault(RefreshSegmentJob.Kind), lastRefresh));
            nodes.Add(Job(CatalogRunJob.Kind, CatalogRunJob.DisplayName, LineageDomains.Activation, lastJobs.GetValueOrDefault(CatalogRunJob.Kind)));

            var rules = await db.Rules.AsNoTracking().OrderBy(r => r.Id).ToListAsync(cancellationToken);
            var segments = await db.Segments.AsNoTracking().ToListAsync(cancellationToken);
            var segmentOfRule = segments.ToDictionary(s => s.RuleId, s => s.Id);
            var segmentIds = segments.Select(s => s.Id).ToHashSet();
            foreach (var segment in segments)
            {
                nodes.Add(new LineageNode(SegmentId(segment.Id), LineageNodeKind.Segment, segment.Name, Map(segment.Status), segment.RowCount,
                    segment.LastRefreshedAt, $"/segments/{segment.Id}", LineageDomains.Segments, segment.LastError));
                edges.Add(new LineageEdge(JobId(RefreshSegmentJob.Kind), SegmentId(segment.Id), LineageEdgeKind.Runs));
            }

            foreach (var rule in rules)
            {
                var segment = segmentOfRule.TryGetValue(rule.Id, out var s) ? segments.First(x => x.Id == s) : null;
                nodes.Add(new LineageNode(RuleId(rule.Id), LineageNodeKind.Rule, rule.Name, LineageStatus.None, null, rule.UpdatedAt,
                    $"/rules/{rule.Id}", LineageDomains.Segments, rule.Schedule is { } cron ? $"Schedule: {cron}" : "On demand"));
                if (segment is not null)
                {
                    edges.Add(new LineageEdge(RuleId(rule.Id), SegmentId(segment.Id), LineageEdgeKind.Produces));
                }

                var root = RuleGraph.SafeRead(rule.Conditions);
                foreach (var table in RuleTables.Read(root))
                {
                    edges.Add(new LineageEdge(TableId(table), RuleId(rule.Id), LineageEdgeKind.Reads));
                }

                foreach (var membership in ConditionTree.All(root).OfType<SegmentCondition>().Select(c => c.SegmentId).Distinct())
                {
                    if (segmentIds.Contains(membership))
                    {
                        edges.Add(new LineageEdge(SegmentId(membership), RuleId(rule.Id), LineageEdgeKind.Membership));
                    }
                    else
                    {
                        problems.Add($"Rule '{rule.Name}' tests membership in segment {membership}, which does not exist.");
                    }
                }

                foreach (var dependency in rule.DependsOn)
                {
                    if (segment is not null && segmentOfRule.TryGetValue(dependency, out var from))
                    {
                        edges.Add(new LineageEdge(SegmentId(from), SegmentId(segment.Id), LineageEdgeKind.DependsOn, rule.Operation?.ToString().ToUpperInvariant()));
                    }
                    else
                    {
                        problems.Add($"Rule '{rule.Name}' depends on rule {dependency}, which has no segment.");
                    }
                }
            }

            var segmentByName = segments.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.OrdinalIgnoreCase);
            var runs = await LatestRunsAsync(db, cancellationToken);
            await AddAudiencesAsync(nodes, edges, problems, segmentByName, runs, cancellationToken);
        }

        foreach (var contributor in contributors)
        {
            await contributor.ContributeAsync(nodes, edges, cancellationToken);
        }

        return new LineageGraph(nodes, edges, problems);
    }

    public static LineageStatus Map(SegmentStatus status) => status switch
    {
        SegmentStatus.Fresh => LineageStatus.Fresh,
        SegmentStatus.Stale => LineageStatus.Stale,
        SegmentStatus.Failed => LineageStatus.Failed,
        SegmentStatus.Refreshing => LineageStatus.Refreshing,
        _ => LineageStatus.NeverRun,
    };

    private async Task AddAudiencesAsync(List<LineageNode> nodes, List<LineageEdge> edges, List<string> problems, Dictionary<string, long> segmentByName,
        Dictionary<(string, string), ExportRun> runs, CancellationToken cancellationToken)
    {
        var adtechs = new HashSet<string>(StringComparer.Ordinal);
        var sources = new HashSet<string>(StringComparer.Ordinal);
        await index.EnsureFreshAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // One row at a time (the adtech blocks come with it), so memory does not hold every audience twice.
        await foreach (var entry in db.AudienceIndex.AsNoTracking().Include(r => r.Adtechs).OrderBy(r => r.Name).AsSplitQuery().AsAsyncEnumerable()
            .WithCancellation(cancellationToken))
        {
            var id = AudienceId(entry.Name);
            var status = !entry.IsValid ? LineageStatus.Failed : entry.HasMemberData ? LineageStatus.Fresh : LineageStatus.NeverRun;
            var fetched = entry.SourceResponseDate is { } date && DateTime.TryParse(date, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTime?)null;
            var detail = entry.IsValid ? entry.Description : entry.FirstIssue is { } issue ? IssueMessage(issue, entry.IssueCount) : null;
            nodes.Add(new LineageNode(id, LineageNodeKind.Audience, entry.Name, status, entry.Members, fetched, $"/audiences/{Uri.EscapeDataString(entry.Name)}",
                LineageDomains.Activation, detail));
            edges.Add(new LineageEdge(JobId(CatalogRunJob.Kind), id, LineageEdgeKind.Runs));
            if (entry.SourceKind == AudienceSourceKind.Segment && entry.Source is { } segmentName)
            {
                if (segmentByName.TryGetValue(segmentName, out var segment))
                {
                    edges.Add(new LineageEdge(SegmentId(segment), id, LineageEdgeKind.AudienceSource));
                }
                else
                {
                    problems.Add($"Audience '{entry.Name}' reads segment '{segmentName}', which does not exist.");
                }
            }
            else if (entry.SourceKind == AudienceSourceKind.Endpoint && entry.Source is { } endpoint)
            {
                if (sources.Add(endpoint))
                {
                    nodes.Add(new LineageNode(SourceId(endpoint), LineageNodeKind.DataSource, endpoint, LineageStatus.None, null, null, "/connectors",
                        LineageDomains.Activation, "HTTP data source"));
                }

                edges.Add(new LineageEdge(SourceId(endpoint), id, LineageEdgeKind.AudienceSource));
            }

            foreach (var cell in entry.Adtechs.OrderBy(a => a.Position))
            {
                var key = cell.Key;
                if (adtechs.Add(key))
                {
                    nodes.Add(new LineageNode(AdtechId(key), LineageNodeKind.Adtech, AdtechKeys.DisplayName(key), LineageStatus.None, null, null, "/connectors",
                        LineageDomains.Activation, "Adtech destination"));
                }

                var label = cell.Status switch
                {
                    AdtechStatus.Posted => "POSTED",
                    AdtechStatus.NotPosted => "NOT_POSTED",
                    _ => "NOT_FETCHED",
                };
                if (runs.TryGetValue((entry.Name, key), out var run) && run.Status == ExportRunStatus.Failed)
                {
                    label += " (last run failed)";
                }

                edges.Add(new LineageEdge(id, AdtechId(key), LineageEdgeKind.Export, label));
            }
        }
    }

    /// <summary>What an invalid audience's node says: its first issue, and how many more there are.</summary>
    private static string IssueMessage(string first, int count) => count > 1 ? $"{first} (and {count - 1} more)" : first;

    private static LineageNode Table(string name, long rows) =>
        new(TableId(name), LineageNodeKind.Table, name, LineageStatus.None, rows, null, "/", LineageDomains.Customers, "Customer table");

    private static LineageNode Job(string kind, string title, string domain, JobRecord? last) =>
        new(JobId(kind), LineageNodeKind.Job, title, StatusOf(last), null, last?.FinishedAt, "/jobs", domain, $"Job kind {kind}");

    /// <summary>
    /// The segment refresh job's node: its latest job, or the latest refresh when that came later without a job (a
    /// rule saved with "refresh now", the demo's start-up), so the node does not say "never run" over fresh segments.
    /// </summary>
    private static LineageNode RefreshJob(JobRecord? last, SegmentRefresh? refresh)
    {
        var node = Job(RefreshSegmentJob.Kind, RefreshSegmentJob.DisplayName, LineageDomains.Segments, last);
        if (refresh is null || last is { IsFinished: false } || (last?.FinishedAt is { } finished && finished >= refresh.FinishedAt))
        {
            return node;
        }

        return node with { Status = refresh.Succeeded ? LineageStatus.Fresh : LineageStatus.Failed, LastRefreshedAt = refresh.FinishedAt };
    }

    /// <summary>A job kind's node status from its latest job: never run without one.</summary>
    public static LineageStatus StatusOf(JobRecord? last) => last?.Status switch
    {
        JobStatus.Succeeded => LineageStatus.Fresh,
        JobStatus.Failed => LineageStatus.Failed,
        JobStatus.Running or JobStatus.Queued => LineageStatus.Refreshing,
        JobStatus.Cancelled => LineageStatus.Stale,
        _ => LineageStatus.NeverRun,
    };

    private static async Task<Dictionary<string, JobRecord>> LatestJobsAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        string[] kinds = [RefreshSegmentJob.Kind, CatalogRunJob.Kind];
        var ids = await db.Jobs.AsNoTracking().Where(j => kinds.Contains(j.Kind)).GroupBy(j => j.Kind).Select(g => g.Max(j => j.Id)).ToListAsync(cancellationToken);
        var jobs = await db.Jobs.AsNoTracking().Where(j => ids.Contains(j.Id)).ToListAsync(cancellationToken);
        return jobs.ToDictionary(j => j.Kind, StringComparer.Ordinal);
    }

    private static async Task<Dictionary<(string, string), ExportRun>> LatestRunsAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var ids = await db.ExportRuns.AsNoTracking().GroupBy(r => new { r.Audience, r.AdtechKey }).Select(g => g.Max(r => r.Id)).ToListAsync(cancellationToken);
        var runs = await db.ExportRuns.AsNoTracking().Where(r => ids.Contains(r.Id)).ToListAsync(cancellationToken);
        return runs.ToDictionary(r => (r.Audience, r.AdtechKey));
    }
}
