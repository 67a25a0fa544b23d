using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Rules;

namespace Portal.Core.Segments;

/// <summary>A user as the member previews and samples show them.</summary>
public sealed record SegmentMemberRow(long UserId, string Name, string Email, string City, int CityTier);

/// <summary>
/// A draft's size before it is saved: <see cref="Total"/> members, how many users each top-level block of the root
/// matches on its own (<see cref="Children"/>, by node id), the first members by id, and the SQL (values shown).
/// When the draft cannot be compiled yet, <see cref="Issues"/> says why and there are no figures.
/// </summary>
public sealed record SegmentEstimate(
    long? Total,
    IReadOnlyDictionary<string, long> Children,
    IReadOnlyList<SegmentMemberRow> Preview,
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

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var dialect = db.Database.IsSqlite() ? DatabaseProvider.Sqlite : DatabaseProvider.SqlServer;
        var segmentOfRule = await db.Segments.AsNoTracking().ToDictionaryAsync(s => s.RuleId, s => s.Id, cancellationToken);
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

        var children = new Dictionary<string, long>(StringComparer.Ordinal);
        long? total = null;
        if (RuleCompiler.HasOwnConditions(draft))
        {
            var breakdown = RuleCompiler.CompileBreakdown(draft, dialect, now);
            await using var command = await db.CommandAsync(breakdown.Sql, breakdown.Parameters, cancellationToken);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            IReadOnlyList<ConditionNode> nodes = draft.Root is GroupCondition g ? g.Children : [draft.Root];
            for (var i = 0; i < nodes.Count; i++)
            {
                children[nodes[i].Id] = Count(reader, 2 + i);
            }

            total = draft.DependsOn.Count == 0 ? Count(reader, 1) : null;
        }

        total ??= await CountAsync(db, query, cancellationToken);
        var preview = await PreviewAsync(db, dialect, query, cancellationToken);
        return new SegmentEstimate(total, children, preview, query.Readable, []);
    }

    internal static string CountSql(CompiledQuery query) => $"SELECT COUNT(*) FROM (\n{query.Sql}\n) q";

    /// <summary>The first members by id, with what the preview shows of them.</summary>
    internal static string PreviewSql(DatabaseProvider dialect, CompiledQuery query)
    {
        var (top, limit) = dialect == DatabaseProvider.Sqlite ? ("", $" LIMIT {PreviewSize}") : ($"TOP ({PreviewSize}) ", "");
        return $"SELECT {top}u.user_id, u.name, u.email, u.city, u.city_tier FROM users u WHERE u.user_id IN (\n{query.Sql}\n) ORDER BY u.user_id{limit}";
    }

    private static long Count(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0 : Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<long> CountAsync(PortalDbContext db, CompiledQuery query, CancellationToken cancellationToken)
    {
        await using var command = await db.CommandAsync(CountSql(query), query.Parameters, cancellationToken);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<IReadOnlyList<SegmentMemberRow>> PreviewAsync(PortalDbContext db, DatabaseProvider dialect, CompiledQuery query,
        CancellationToken cancellationToken)
    {
        await using var command = await db.CommandAsync(PreviewSql(dialect, query), query.Parameters, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<SegmentMemberRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new SegmentMemberRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
        }

        return rows;
    }
}
