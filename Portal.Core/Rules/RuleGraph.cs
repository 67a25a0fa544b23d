using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Rules;

/// <summary>
/// Which rules read which: a rule reads the rules it combines (<see cref="Rule.DependsOn"/>) and the rules whose
/// segments its conditions test membership in. Used for cycles (refused on save), where-used, and the order of
/// refreshes (dependencies before dependents). Rule ids throughout; <see cref="SegmentOfRule"/> maps to segments.
/// </summary>
public sealed class RuleGraph
{
    private readonly Dictionary<long, HashSet<long>> _reads;

    public RuleGraph(IReadOnlyDictionary<long, HashSet<long>> reads, IReadOnlyDictionary<long, long> segmentOfRule)
    {
        _reads = reads.ToDictionary(r => r.Key, r => r.Value);
        SegmentOfRule = segmentOfRule;
        RuleOfSegment = segmentOfRule.ToDictionary(s => s.Value, s => s.Key);
    }

    public IReadOnlyDictionary<long, long> SegmentOfRule { get; }
    public IReadOnlyDictionary<long, long> RuleOfSegment { get; }

    public IEnumerable<long> Rules => _reads.Keys;

    /// <summary>The graph of every saved rule (a rule whose conditions cannot be read counts as reading nothing more).</summary>
    public static async Task<RuleGraph> LoadAsync(PortalDbContext db, CancellationToken cancellationToken = default)
    {
        var rules = await db.Rules.AsNoTracking().Select(r => new { r.Id, r.DependsOn, r.Conditions }).ToListAsync(cancellationToken);
        var segments = await db.Segments.AsNoTracking().Select(s => new { s.Id, s.RuleId }).ToListAsync(cancellationToken);
        var ruleOfSegment = segments.ToDictionary(s => s.Id, s => s.RuleId);
        var reads = rules.ToDictionary(r => r.Id, r => ReadsOf(r.DependsOn, SafeRead(r.Conditions), ruleOfSegment));
        return new RuleGraph(reads, segments.ToDictionary(s => s.RuleId, s => s.Id));
    }

    /// <summary>The rules that a rule with these parts reads.</summary>
    public static HashSet<long> ReadsOf(IEnumerable<long> dependsOn, ConditionNode root, IReadOnlyDictionary<long, long> ruleOfSegment) =>
        dependsOn.Concat(ConditionTree.All(root).OfType<SegmentCondition>().Select(s => ruleOfSegment.GetValueOrDefault(s.SegmentId, -1)).Where(r => r >= 0)).ToHashSet();

    /// <summary>The same graph with one rule's reads replaced (a draft being saved).</summary>
    public RuleGraph With(long ruleId, HashSet<long> reads)
    {
        var copy = new Dictionary<long, HashSet<long>>(_reads) { [ruleId] = reads };
        return new RuleGraph(copy, SegmentOfRule);
    }

    public IReadOnlySet<long> Reads(long ruleId) => _reads.GetValueOrDefault(ruleId) ?? [];

    /// <summary>The rules that read this one, directly.</summary>
    public IEnumerable<long> ReadBy(long ruleId) => _reads.Where(r => r.Value.Contains(ruleId)).Select(r => r.Key).Order();

    /// <summary>Every rule this one reads, directly or not, dependencies first.</summary>
    public IReadOnlyList<long> DependenciesInOrder(long ruleId) =>
        InOrder(Closure([ruleId], Reads)).Where(r => r != ruleId).ToList();

    /// <summary>Every rule that reads one of these, directly or not (not the given ones), in refresh order.</summary>
    public IReadOnlyList<long> DependentsInOrder(IEnumerable<long> ruleIds)
    {
        var start = ruleIds.ToHashSet();
        return InOrder(Closure(start, ReadBy)).Where(r => !start.Contains(r)).ToList();
    }

    /// <summary>The rules in refresh order: each after the rules it reads (ties by id). A cycle, which saving refuses, is cut.</summary>
    public IReadOnlyList<long> InOrder(IEnumerable<long> ruleIds)
    {
        var wanted = ruleIds.ToHashSet();
        var order = new List<long>();
        var done = new HashSet<long>();
        var visiting = new HashSet<long>();

        void Visit(long id)
        {
            if (done.Contains(id) || !visiting.Add(id))
            {
                return;
            }

            foreach (var read in Reads(id).Order())
            {
                Visit(read);
            }

            visiting.Remove(id);
            done.Add(id);
            if (wanted.Contains(id))
            {
                order.Add(id);
            }
        }

        foreach (var id in wanted.Order())
        {
            Visit(id);
        }

        return order;
    }

    /// <summary>A path from the rule back to itself, or null when it is in no cycle.</summary>
    public IReadOnlyList<long>? CycleThrough(long start)
    {
        var stack = new Stack<(long Node, List<long> Path)>();
        stack.Push((start, [start]));
        var seen = new HashSet<long>();
        while (stack.Count > 0)
        {
            var (node, path) = stack.Pop();
            foreach (var next in Reads(node))
            {
                if (next == start)
                {
                    return [.. path, start];
                }

                if (seen.Add(next))
                {
                    stack.Push((next, [.. path, next]));
                }
            }
        }

        return null;
    }

    /// <summary>Conditions as stored, or an empty group when they cannot be read (the validator reports those on save).</summary>
    public static ConditionNode SafeRead(string json)
    {
        try
        {
            return ConditionJson.Read(json);
        }
        catch (ConditionFormatException)
        {
            return new GroupCondition("root", false, GroupLogic.And, []);
        }
    }

    private static HashSet<long> Closure(IEnumerable<long> start, Func<long, IEnumerable<long>> next)
    {
        var seen = start.ToHashSet();
        var queue = new Queue<long>(seen);
        while (queue.Count > 0)
        {
            foreach (var n in next(queue.Dequeue()))
            {
                if (seen.Add(n))
                {
                    queue.Enqueue(n);
                }
            }
        }

        return seen;
    }
}
