using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

/// <summary>
/// Where a query compiled inside a larger statement reads from: its parameters are named <c>@{prefix}0</c>,
/// <c>@{prefix}1</c>, … (so several compiled queries can share one command), and the segments in
/// <see cref="SegmentRelations"/> are read from the named relation (a CTE with a <c>user_id</c> column, e.g. a draft's
/// members) instead of <c>segment_members</c>. Names are identifiers chosen by the caller, never values.
/// </summary>
public sealed partial record CompileScope
{
    public CompileScope(string parameterPrefix, IReadOnlyDictionary<long, string> segmentRelations)
    {
        if (!Identifier().IsMatch(parameterPrefix))
        {
            throw new ArgumentException($"'{parameterPrefix}' is not a parameter prefix (letters, digits, _).", nameof(parameterPrefix));
        }

        if (segmentRelations.Values.FirstOrDefault(r => !Identifier().IsMatch(r)) is { } bad)
        {
            throw new ArgumentException($"'{bad}' is not a relation name (letters, digits, _).", nameof(segmentRelations));
        }

        ParameterPrefix = parameterPrefix;
        SegmentRelations = segmentRelations;
    }

    public string ParameterPrefix { get; }

    public IReadOnlyDictionary<long, string> SegmentRelations { get; }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
