using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

/// <summary>
/// SQL and its parameters: every value is a parameter (<c>@p0</c>, <c>@p1</c>, …), never text in the SQL.
/// <see cref="Readable"/> shows the values in place of the names, for people; it is never run.
/// </summary>
public sealed partial record CompiledQuery(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters)
{
    public string Readable => Show(Sql, Parameters);

    /// <summary>The SQL with each parameter name replaced by its value as a SQL literal (for display only).</summary>
    public static string Show(string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var values = parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        return ParameterName().Replace(sql, m => values.TryGetValue(m.Value, out var value) ? Literal(value) : m.Value);
    }

    /// <summary>The parameters as SQL comment lines (<c>-- @p0 = 'Travel'</c>), to keep with the SQL that ran.</summary>
    public static string Listing(IEnumerable<(string Name, object? Value)> parameters) =>
        string.Join("\n", parameters.Select(p => $"-- {p.Name} = {Literal(p.Value).ReplaceLineEndings(" ")}"));

    public static string Literal(object? value) => value switch
    {
        null => "NULL",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        DateTime d => "'" + d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + "'",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => "'" + value.ToString()?.Replace("'", "''", StringComparison.Ordinal) + "'",
    };

    [GeneratedRegex("@[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ParameterName();
}
