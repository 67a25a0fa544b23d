using Portal.Core.Rules;

namespace Portal.Components.Pages.Rules;

/// <summary>
/// What every node of the condition builder needs, cascaded from <see cref="ConditionBuilder"/>: the tree, a way to
/// replace it (each edit is one undoable step), the issues by condition, the pickers' values and the size estimates.
/// </summary>
public sealed record BuilderContext(
    ConditionNode Root,
    Func<Func<ConditionNode, ConditionNode>, Task> Apply,
    ILookup<string?, RuleIssue> Issues,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Merchants,
    IReadOnlyList<string> Cities,
    IReadOnlyList<SegmentChoice> Segments,
    IReadOnlyDictionary<string, long> BlockCounts,
    bool ReadOnly);
