using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Rules;

namespace Portal.Core.Segments;

/// <summary>
/// A draft's size before it is saved: <see cref="Total"/> members, how many users each top-level block of the root
/// matches on its own (<see cref="Children"/>, by node id), the first members by id, and the SQL (values shown).
/// When the draft cannot be compiled yet, <see cref="Issues"/> says why and there are no figures.
/// </summary>
public sealed record SegmentEstimate(
    long? Total,
    IReadOnlyDictionary<string, long> Children,
    IReadOnlyList<SegmentSampleRow> Preview,
    string? Sql,
    IReadOnlyList<RuleIssue> Issues)
{
    public bool Ok => Issues.Count == 0;
}

/// <summary>
/// Sizes a rule while it is edited (saved or not): counts are computed in the database (COUNT over the compiled
/// query; the per-block counts in one pass over users) and only the preview's rows come back.
/// </summary>
public sealed class SegmentEstimator(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int PreviewSize = 25;

    public async Task<SegmentEstimate> EstimateAsync(RuleDraft draft, CancellationToken cancellationToken = default)
    {
        // The name and schedule do not change the members; everything else must be right to compile.
        var issues = RuleValidator.Validate(draft).Where(i => i.Field is not ("name" or "schedule")).ToList();
        if (issues.Count > 0)
        {
            return new SegmentEstimate(null, new Dictionary<string, long>(), [], null, issues);
        }

        DatabaseProvider dialect;
        Dictionary<long, long> segmentOfRule;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            dialect = db.Database.Provider();
            segmentOfRule = await db.Segments.AsNoTracking().ToDictionaryAsync(s => s.RuleId, s => s.Id, cancellationToken);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        CompiledQuery query;
        try
        {
            query = RuleCompiler.Compile(draft, dialect, now, segmentOfRule);
        }
        catch (ArgumentException ex)
        {
            return new SegmentEstimate(null, new Dictionary<string, long>(), [], null, [new RuleIssue(null, "depends_on", ex.Message)]);
        }

        // The counts and the preview are independent reads: each on a connection of its own, at the same time
        // (on threads of their own, since Microsoft.Data.Sqlite's async calls run synchronously).
        var own = RuleCompiler.HasOwnConditions(draft);
        var breakdown = own ? Task.Run(() => BreakdownAsync(RuleCompiler.CompileBreakdown(draft, dialect, now), cancellationToken), cancellationToken) : null;
        var count = draft.DependsOn.Count > 0 || !own ? Task.Run(() => ReadAsync(CountSql(query), query.Parameters, ReadCountAsync, cancellationToken), cancellationToken) : null;
        var preview = Task.Run(() => ReadAsync(PreviewSql(dialect, query), query.Parameters, ReadPreviewAsync, cancellationToken), cancellationToken);
        await Task.WhenAll(new Task?[] { breakdown, count, preview }.OfType<Task>());

        var children = new Dictionary<string, long>(StringComparer.Ordinal);
        if (breakdown is not null)
        {
            IReadOnlyList<ConditionNode> nodes = draft.Root is GroupCondition g ? g.Children : [draft.Root];
            var counts = await breakdown;
            for (var i = 0; i < nodes.Count; i++)
            {
                children[nodes[i].Id] = counts[2 + i];
            }
        }

        var total = count is not null ? await count : (await breakdown!)[1];
        return new SegmentEstimate(total, children, await preview, query.Readable, []);
    }

    internal static string CountSql(CompiledQuery query) => $"SELECT COUNT(*) FROM (\n{query.Sql}\n) q";

    /// <summary>The first members by id, with what the preview shows of them.</summary>
    internal static string PreviewSql(DatabaseProvider dialect, CompiledQuery query)
    {
        var (top, limit) = dialect == DatabaseProvider.SqlServer ? ($"TOP ({PreviewSize}) ", "") : ("", $" LIMIT {PreviewSize}");
        return $"SELECT {top}u.user_id, u.name, u.email, u.city, u.city_tier FROM users u WHERE u.user_id IN (\n{query.Sql}\n) ORDER BY u.user_id{limit}";
    }

    private Task<long[]> BreakdownAsync(CompiledQuery breakdown, CancellationToken cancellationToken) =>
        ReadAsync(breakdown.Sql, breakdown.Parameters, async (reader, ct) =>
        {
            await reader.ReadAsync(ct);
            return Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? 0 : Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture)).ToArray();
        }, cancellationToken);

    private async Task<T> ReadAsync<T>(string sql, IReadOnlyList<(string, object?)> parameters, Func<DbDataReader, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var command = await db.CommandAsync(sql, parameters, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await read(reader, cancellationToken);
    }

    private static async Task<long> ReadCountAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        await reader.ReadAsync(cancellationToken);
        return Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
    }

    private static async Task<IReadOnlyList<SegmentSampleRow>> ReadPreviewAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var rows = new List<SegmentSampleRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new SegmentSampleRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
        }

        return rows;
    }
}
