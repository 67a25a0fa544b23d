namespace Portal.Core.Rules;

/// <summary>Edits of an immutable condition tree (the builder's add, remove, nest, move, negate), each returning a new tree.</summary>
public static class ConditionTree
{
    public static IEnumerable<ConditionNode> All(ConditionNode node) =>
        node is GroupCondition g ? g.Children.SelectMany(All).Prepend(node) : [node];

    public static ConditionNode? Find(ConditionNode root, string id) => All(root).FirstOrDefault(n => n.Id == id);

    /// <summary>The group holding the node, or null for the root.</summary>
    public static GroupCondition? ParentOf(ConditionNode root, string id) =>
        All(root).OfType<GroupCondition>().FirstOrDefault(g => g.Children.Any(c => c.Id == id));

    /// <summary>An id not used in the tree, with a prefix ("g" for groups, "c" for conditions).</summary>
    public static string NewId(ConditionNode root, string prefix)
    {
        var used = All(root).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 1; ; i++)
        {
            if (!used.Contains(prefix + i))
            {
                return prefix + i;
            }
        }
    }

    public static ConditionNode Replace(ConditionNode root, string id, ConditionNode replacement) =>
        Map(root, n => n.Id == id ? replacement : n);

    public static ConditionNode Remove(ConditionNode root, string id) =>
        root.Id == id ? throw new InvalidOperationException("The root group cannot be removed.") : MapGroups(root, g => g.Children.Any(c => c.Id == id)
            ? g with { Children = g.Children.Where(c => c.Id != id).ToList() }
            : g);

    public static ConditionNode Insert(ConditionNode root, string groupId, int index, ConditionNode node) =>
        MapGroups(root, g =>
        {
            if (g.Id != groupId)
            {
                return g;
            }

            var children = g.Children.ToList();
            children.Insert(Math.Clamp(index, 0, children.Count), node);
            return g with { Children = children };
        });

    /// <summary>Moves a node up (-1) or down (+1) among its siblings.</summary>
    public static ConditionNode Move(ConditionNode root, string id, int delta) =>
        MapGroups(root, g =>
        {
            var index = g.Children.ToList().FindIndex(c => c.Id == id);
            var to = index + delta;
            if (index < 0 || to < 0 || to >= g.Children.Count)
            {
                return g;
            }

            var children = g.Children.ToList();
            (children[index], children[to]) = (children[to], children[index]);
            return g with { Children = children };
        });

    /// <summary>Wraps a node in a new group of its own (the builder's "nest").</summary>
    public static ConditionNode Wrap(ConditionNode root, string id, GroupLogic logic)
    {
        var node = Find(root, id) ?? throw new ArgumentException($"No node '{id}'.", nameof(id));
        var group = new GroupCondition(NewId(root, "g"), false, logic, [node]);
        return root.Id == id ? group : Replace(root, id, group);
    }

    public static ConditionNode Negate(ConditionNode root, string id) =>
        Map(root, n => n.Id == id ? n with { Not = !n.Not } : n);

    private static ConditionNode Map(ConditionNode node, Func<ConditionNode, ConditionNode> map)
    {
        var mapped = map(node);
        return !ReferenceEquals(mapped, node) || node is not GroupCondition g
            ? mapped
            : g with { Children = g.Children.Select(c => Map(c, map)).ToList() };
    }

    private static ConditionNode MapGroups(ConditionNode node, Func<GroupCondition, GroupCondition> map)
    {
        if (node is not GroupCondition g)
        {
            return node;
        }

        var children = g.Children.Select(c => MapGroups(c, map)).ToList();
        return map(g with { Children = children });
    }
}
