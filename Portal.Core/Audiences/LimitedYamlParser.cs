using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Portal.Core.Audiences;

/// <summary>
/// Wraps YamlDotNet's parser and watches its event stream: a document that nests too deeply, uses too many aliases, makes
/// its aliases stand for too many nodes, or uses an alias or a collection as a mapping key stops with a
/// <see cref="YamlException"/> at that event's line and column, before anything is built from it.
/// </summary>
public sealed class LimitedYamlParser(IParser inner, YamlLimits limits) : IParser
{
    /// <summary>An open mapping or sequence: its node count so far (aliases counted as what they repeat) and, for a mapping, whether a key comes next.</summary>
    private sealed class Frame(AnchorName anchor, bool isMapping)
    {
        public AnchorName Anchor { get; } = anchor;
        public bool IsMapping { get; } = isMapping;
        public bool ExpectsKey { get; set; } = isMapping;
        public long Nodes { get; set; } = 1;
    }

    private readonly Stack<Frame> _open = new();
    private readonly Dictionary<string, long> _anchorSizes = new(StringComparer.Ordinal);
    private int _aliases;
    private long _aliasedNodes;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                var node = (NodeEvent)inner.Current;
                RefuseAsKey(node, "a mapping or sequence");
                if (_open.Count >= limits.MaxDepth)
                {
                    throw Refuse(node, $"Nesting deeper than {limits.MaxDepth} levels is not allowed in a state file.");
                }

                _open.Push(new Frame(node.Anchor, node is MappingStart));
                break;
            case MappingEnd or SequenceEnd:
                var done = _open.Pop();
                Remember(done.Anchor, done.Nodes);
                Completed(done.Nodes);
                break;
            case Scalar scalar:
                Remember(scalar.Anchor, 1);
                Completed(1);
                break;
            case AnchorAlias alias:
                RefuseAsKey(alias, "an alias (*" + alias.Value.Value + ")");
                if (++_aliases > limits.MaxAliases)
                {
                    throw Refuse(alias, $"More than {limits.MaxAliases} aliases (*name) are not allowed in a state file.");
                }

                var size = _anchorSizes.GetValueOrDefault(alias.Value.Value, 1);
                _aliasedNodes += size;
                if (_aliasedNodes > limits.MaxAliasedNodes)
                {
                    throw Refuse(alias, $"The aliases (*name) in this file repeat more than {limits.MaxAliasedNodes:N0} nodes; a state file may not expand that much.");
                }

                Completed(size);
                break;
        }

        return true;
    }

    private void RefuseAsKey(ParsingEvent node, string what)
    {
        if (_open.TryPeek(out var parent) && parent.IsMapping && parent.ExpectsKey)
        {
            throw Refuse(node, $"A mapping key must be a plain value, not {what}.");
        }
    }

    private void Remember(AnchorName anchor, long nodes)
    {
        if (!anchor.IsEmpty)
        {
            _anchorSizes[anchor.Value] = nodes;
        }
    }

    /// <summary>A node (of <paramref name="nodes"/> nodes, aliases counted as what they repeat) is complete inside its parent.</summary>
    private void Completed(long nodes)
    {
        if (_open.TryPeek(out var parent))
        {
            parent.Nodes += nodes;
            if (parent.IsMapping)
            {
                parent.ExpectsKey = !parent.ExpectsKey;
            }
        }
    }

    private static YamlException Refuse(ParsingEvent at, string message) => new(at.Start, at.End, message);
}
