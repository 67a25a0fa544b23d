namespace Portal.Core.Lineage;

/// <summary>The selector could not be read; the message says where.</summary>
public sealed class SelectorFormatException(string message) : FormatException(message);

/// <summary>
/// One selector term: a node pattern, with how many generations of ancestors (<see cref="Up"/>) and descendants
/// (<see cref="Down"/>) to add: null none, <see cref="int.MaxValue"/> all (<c>+name</c>), N for <c>2+name</c>.
/// The pattern is a name (ignoring case, <c>*</c> matches any run of characters), a node id (<c>segment:12</c>),
/// or a method: <c>kind:segment</c>, <c>status:stale</c>, <c>domain:activation</c>.
/// </summary>
public sealed record SelectorTerm(int? Up, string Pattern, int? Down);

/// <summary>
/// dbt-style node selection: <c>+name</c> ancestors, <c>name+</c> descendants, <c>+name+</c> both, <c>2+name</c> two
/// generations up; space separates a union, comma an intersection (<c>+a,b+</c> = ancestors of a that are
/// descendants of b). <see cref="Parse"/> then <see cref="Evaluate"/>.
/// </summary>
public sealed class LineageSelector
{
    private LineageSelector(IReadOnlyList<IReadOnlyList<SelectorTerm>> union) => Union = union;

    /// <summary>The union of intersections: each inner list is one space-separated group of comma-joined terms.</summary>
    public IReadOnlyList<IReadOnlyList<SelectorTerm>> Union { get; }

    public static LineageSelector Parse(string text)
    {
        var groups = new List<IReadOnlyList<SelectorTerm>>();
        foreach (var group in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = group.Split(',');
            if (parts.Any(p => p.Length == 0))
            {
                throw new SelectorFormatException($"'{group}': a comma needs a term on both sides.");
            }

            groups.Add(parts.Select(ParseTerm).ToList());
        }

        if (groups.Count == 0)
        {
            throw new SelectorFormatException("The selector is empty.");
        }

        return new LineageSelector(groups);
    }

    public static bool TryParse(string text, out LineageSelector? selector, out string? error)
    {
        try
        {
            selector = Parse(text);
            error = null;
            return true;
        }
        catch (SelectorFormatException e)
        {
            selector = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>The ids of the selected nodes.</summary>
    public IReadOnlySet<string> Evaluate(LineageGraph graph)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in Union)
        {
            HashSet<string>? intersection = null;
            foreach (var term in group)
            {
                var selected = Select(graph, term);
                if (intersection is null)
                {
                    intersection = selected;
                }
                else
                {
                    intersection.IntersectWith(selected);
                }
            }

            result.UnionWith(intersection ?? []);
        }

        return result;
    }

    private static HashSet<string> Select(LineageGraph graph, SelectorTerm term)
    {
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes.Where(n => Matches(n, term.Pattern)))
        {
            selected.Add(node.Id);
            if (term.Up is { } up)
            {
                selected.UnionWith(graph.Upstream(node.Id, up == int.MaxValue ? null : up));
            }

            if (term.Down is { } down)
            {
                selected.UnionWith(graph.Downstream(node.Id, down == int.MaxValue ? null : down));
            }
        }

        return selected;
    }

    private static bool Matches(LineageNode node, string pattern)
    {
        var colon = pattern.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            var method = pattern[..colon].ToLowerInvariant();
            var value = pattern[(colon + 1)..];
            switch (method)
            {
                case "kind":
                    return Glob(node.Kind.ToString(), value);
                case "status":
                    return Glob(node.Status.ToString(), value.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal));
                case "domain":
                    return Glob(node.Domain, value);
                default:
                    return node.Id.Equals(pattern, StringComparison.OrdinalIgnoreCase);
            }
        }

        return Glob(node.Name, pattern);
    }

    /// <summary>Whole-text match ignoring case, <c>*</c> for any run of characters.</summary>
    private static bool Glob(string text, string pattern)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return text.Equals(pattern, StringComparison.OrdinalIgnoreCase);
        }

        var parts = pattern.Split('*');
        var at = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i == 0)
            {
                if (!text.StartsWith(part, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                at = part.Length;
            }
            else if (i == parts.Length - 1)
            {
                return text.Length - at >= part.Length && text.EndsWith(part, StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                var found = text.IndexOf(part, at, StringComparison.OrdinalIgnoreCase);
                if (found < 0)
                {
                    return false;
                }

                at = found + part.Length;
            }
        }

        return at == text.Length;
    }

    private static SelectorTerm ParseTerm(string text)
    {
        var start = 0;
        int? up = null;
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0 && text[..plus].All(char.IsAsciiDigit) && plus < text.Length - 1)
        {
            up = plus == 0 ? int.MaxValue : Depth(text[..plus], text);
            start = plus + 1;
        }

        var end = text.Length;
        int? down = null;
        var last = text.LastIndexOf('+');
        if (last >= start && text[(last + 1)..].All(char.IsAsciiDigit))
        {
            down = last == text.Length - 1 ? int.MaxValue : Depth(text[(last + 1)..], text);
            end = last;
        }

        var pattern = text[start..end];
        if (pattern.Length == 0)
        {
            throw new SelectorFormatException($"'{text}': the term names no node.");
        }

        if (pattern.Contains('+', StringComparison.Ordinal))
        {
            throw new SelectorFormatException($"'{text}': '+' goes only before or after a name.");
        }

        return new SelectorTerm(up, pattern, down);
    }

    private static int Depth(string digits, string term) =>
        int.TryParse(digits, out var n) && n > 0 ? n : throw new SelectorFormatException($"'{term}': the depth must be a positive number.");
}
