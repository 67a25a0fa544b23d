using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Rules;

namespace Portal.Core.Segments;

/// <summary>
/// What saving a draft would change for one audience at one adtech: members the next sync would add, remove and
/// keep. <see cref="Segment"/> is the segment that feeds the audience (the rule's own, or one combined from it).
/// <see cref="Note"/> says why the figures read as they do, e.g. when the audience is not exported there yet (then
/// every member is an add).
/// </summary>
public sealed record AudienceImpact(string Audience, string Segment, string Adtech, long Added, long Removed, long Unchanged, string? Note);

/// <summary>
/// A draft's impact on the audiences its segment (<see cref="Segment"/>, null for a rule without one) feeds; when the
/// draft cannot be compiled yet, <see cref="Issues"/> says why.
/// </summary>
public sealed record ImpactPreview(string? Segment, IReadOnlyList<AudienceImpact> Rows, IReadOnlyList<RuleIssue> Issues)
{
    public bool Ok => Issues.Count == 0;
}

/// <summary>
/// The impact preview of the rule editor: for each audience fed by the rule's segment, directly or through segments
/// that combine it (depends_on, or a membership condition, at any depth), and each of the audience's adtechs, how many
/// members the next sync would add and remove if the draft were saved.
/// <para>
/// Everything is counted in the database, in one statement per affected segment: the draft's compiled query (the
/// estimate's SQL) is a CTE; each segment between it and the affected one is recompiled as a CTE reading the draft's
/// CTE instead of its stored members (<see cref="CompileScope"/>), dependencies first; the new members are then
/// left-joined to the affected segment's current <c>segment_members</c> (an indexed probe per new member). kept =
/// matched rows, added = new − kept, removed = current − kept. No user id leaves the database.
/// </para>
/// <para>
/// "The next sync" is compared with the segment's current members, which is what the adtech holds when the last sync
/// followed the last refresh. An adtech's own snapshot of what it accepted would be more exact (it also covers a sync
/// that failed or never ran after a refresh); until the preview reads it, an adtech the audience has no id for yet
/// counts every member as an add.
/// </para>
/// </summary>
public sealed class SegmentImpact(IDbContextFactory<PortalDbContext> dbFactory, AudienceQueries audiences, TimeProvider clock)
{
    /// <summary>The impact of saving <paramref name="draft"/> as rule <paramref name="ruleId"/>; no rows for a rule without a segment.</summary>
    public async Task<ImpactPreview> PreviewAsync(long ruleId, RuleDraft draft, CancellationToken cancellationToken = default)
    {
        var issues = RuleValidator.Validate(draft).Where(i => i.Field is not ("name" or "schedule")).ToList();
        if (issues.Count > 0)
        {
            return new ImpactPreview(null, [], issues);
        }

        DatabaseProvider dialect;
        RuleGraph graph;
        Dictionary<long, string> segmentNames;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            dialect = db.Database.Provider();
            graph = await RuleGraph.LoadAsync(db, cancellationToken);
            segmentNames = await db.Segments.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);
        }

        if (!graph.SegmentOfRule.TryGetValue(ruleId, out var ownSegment))
        {
            return new ImpactPreview(null, [], []);
        }

        var own = segmentNames[ownSegment];
        var fed = await FedAudiencesAsync(cancellationToken);
        var affected = new[] { ruleId }.Concat(graph.DependentsInOrder([ruleId]))
            .Where(r => graph.SegmentOfRule.TryGetValue(r, out var s) && fed.ContainsKey(segmentNames[s]))
            .ToList();
        if (affected.Count == 0)
        {
            return new ImpactPreview(own, [], []);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var rules = await SavedDraftsAsync(graph.DependentsInOrder([ruleId]), cancellationToken);
        rules[ruleId] = draft;
        List<(long RuleId, CompiledQuery Query)> statements;
        try
        {
            statements = affected.Select(r => (r, CountStatement(graph, rules, ruleId, r, dialect, now))).ToList();
        }
        catch (ArgumentException ex)
        {
            return new ImpactPreview(own, [], [new RuleIssue(null, "depends_on", ex.Message)]);
        }

        // One statement per affected segment, each on a connection of its own, at the same time (as the estimate's reads).
        var counts = await Task.WhenAll(statements.Select(s => Task.Run(() => CountAsync(s.Query, cancellationToken), cancellationToken)));
        var rows = new List<AudienceImpact>();
        for (var i = 0; i < statements.Count; i++)
        {
            var segment = segmentNames[graph.SegmentOfRule[statements[i].RuleId]];
            var (current, next, kept) = counts[i];
            foreach (var (audience, adtechs) in fed[segment])
            {
                rows.AddRange(adtechs.Select(a => a.Exported
                    ? new AudienceImpact(audience, segment, a.Key, next - kept, current - kept, kept, null)
                    : new AudienceImpact(audience, segment, a.Key, next, 0, 0,
                        $"Not exported to {AdtechKeys.DisplayName(a.Key)} yet: every member is an add.")));
            }
        }

        return new ImpactPreview(own, rows.OrderBy(r => r.Audience, StringComparer.Ordinal).ToList(), []);
    }

    /// <summary>
    /// The statement counting, for one affected rule's segment: its current members, its members with the draft saved,
    /// and how many of those it holds already. The draft and every segment between it and the affected one are CTEs.
    /// </summary>
    internal static CompiledQuery CountStatement(RuleGraph graph, IReadOnlyDictionary<long, RuleDraft> rules, long draftRule, long affectedRule,
        DatabaseProvider dialect, DateTime now)
    {
        var between = graph.DependentsInOrder([draftRule]).ToHashSet();
        var chain = graph.InOrder(graph.DependenciesInOrder(affectedRule).Where(between.Contains).Append(draftRule).Append(affectedRule).Distinct())
            .ToList();
        var relations = new Dictionary<long, string>();
        var ctes = new List<string>();
        var parameters = new List<(string Name, object? Value)>();
        foreach (var rule in chain)
        {
            var segmentId = graph.SegmentOfRule[rule];
            var scope = new CompileScope($"c{ctes.Count}_", new Dictionary<long, string>(relations));
            var query = RuleCompiler.Compile(rules[rule], dialect, now, graph.SegmentOfRule, scope);
            var relation = "impact_" + segmentId.ToString(CultureInfo.InvariantCulture);
            ctes.Add($"{relation} AS (\n{query.Sql}\n)");
            parameters.AddRange(query.Parameters);
            relations[segmentId] = relation;
        }

        parameters.Add(("@impact_segment", graph.SegmentOfRule[affectedRule]));
        var sql = $"""
            WITH {string.Join(",\n", ctes)}
            SELECT (SELECT COUNT(*) FROM {SegmentMember.Table} o WHERE o.segment_id = @impact_segment) AS n_current, x.n_next, x.n_kept
            FROM (SELECT COUNT(*) AS n_next, COUNT(m.user_id) AS n_kept
                  FROM {relations[graph.SegmentOfRule[affectedRule]]} q
                  LEFT JOIN {SegmentMember.Table} m ON m.segment_id = @impact_segment AND m.user_id = q.user_id) x
            """;
        return new CompiledQuery(sql, parameters);
    }

    private async Task<(long Current, long Next, long Kept)> CountAsync(CompiledQuery query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var command = await db.CommandAsync(query.Sql, query.Parameters, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        long Read(int i) => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
        return (Read(0), Read(1), Read(2));
    }

    private async Task<Dictionary<long, RuleDraft>> SavedDraftsAsync(IEnumerable<long> ruleIds, CancellationToken cancellationToken)
    {
        var ids = ruleIds.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rules = await db.Rules.AsNoTracking().Where(r => ids.Contains(r.Id)).ToListAsync(cancellationToken);
        return rules.ToDictionary(r => r.Id, RuleService.ToDraft);
    }

    /// <summary>Segment name → the valid audiences it feeds, each with its adtechs and whether it has an id there.</summary>
    private async Task<Dictionary<string, List<(string Audience, List<(string Key, bool Exported)> Adtechs)>>> FedAudiencesAsync(
        CancellationToken cancellationToken)
    {
        var fed = new Dictionary<string, List<(string, List<(string, bool)>)>>(StringComparer.Ordinal);
        foreach (var audience in await audiences.FedByAsync(null, cancellationToken: cancellationToken))
        {
            var adtechs = audience.Adtechs.Select(a => (a.Key, !string.IsNullOrEmpty(a.Id))).ToList();
            if (!fed.TryGetValue(audience.SourceSegment!, out var list))
            {
                fed[audience.SourceSegment!] = list = [];
            }

            list.Add((audience.Name, adtechs));
        }

        return fed;
    }
}
