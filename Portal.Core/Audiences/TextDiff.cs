using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Portal.Core.Audiences;

public enum DiffLineKind
{
    Unchanged,
    Added,
    Removed,
}

/// <summary>One line of a line diff, with its number in the old text, the new text, or both.</summary>
public sealed record DiffLine(DiffLineKind Kind, int? OldNumber, int? NewNumber, string Text);

/// <summary>A line diff of two versions of a state file (DiffPlex), for the editor's conflict and history views.</summary>
public sealed record TextDiff(IReadOnlyList<DiffLine> Lines)
{
    public int Added => Lines.Count(l => l.Kind == DiffLineKind.Added);

    public int Removed => Lines.Count(l => l.Kind == DiffLineKind.Removed);

    public bool HasChanges => Added + Removed > 0;

    public static TextDiff Compare(string oldText, string newText)
    {
        var model = new InlineDiffBuilder(new Differ()).BuildDiffModel(Normalize(oldText), Normalize(newText), ignoreWhitespace: false);
        var lines = new List<DiffLine>(model.Lines.Count);
        int oldNumber = 0, newNumber = 0;
        foreach (var line in model.Lines)
        {
            switch (line.Type)
            {
                case ChangeType.Inserted:
                    lines.Add(new DiffLine(DiffLineKind.Added, null, ++newNumber, line.Text));
                    break;
                case ChangeType.Deleted:
                    lines.Add(new DiffLine(DiffLineKind.Removed, ++oldNumber, null, line.Text));
                    break;
                default:
                    lines.Add(new DiffLine(DiffLineKind.Unchanged, ++oldNumber, ++newNumber, line.Text));
                    break;
            }
        }

        return new TextDiff(lines);
    }

    /// <summary>The changed lines with <paramref name="context"/> unchanged lines around each; null entries mark skipped runs.</summary>
    public IReadOnlyList<DiffLine?> WithContext(int context)
    {
        var keep = new bool[Lines.Count];
        for (var i = 0; i < Lines.Count; i++)
        {
            if (Lines[i].Kind != DiffLineKind.Unchanged)
            {
                for (var j = Math.Max(0, i - context); j <= Math.Min(Lines.Count - 1, i + context); j++)
                {
                    keep[j] = true;
                }
            }
        }

        var result = new List<DiffLine?>();
        for (var i = 0; i < Lines.Count; i++)
        {
            if (keep[i])
            {
                result.Add(Lines[i]);
            }
            else if (result.Count == 0 || result[^1] is not null)
            {
                result.Add(null);
            }
        }

        return result;
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
