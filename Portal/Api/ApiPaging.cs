using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Portal.Api;

/// <summary>
/// The API's paging parameters (the shapes of the design's first seed): <c>page</c> from 1, <c>per_page</c> 10 by default and at most 100. Read from the query
/// as text, so that a value out of range or not a whole number answers 400 naming the parameter (never a clamp, never a 500).
/// </summary>
internal readonly record struct ApiPaging(int Page, int PerPage)
{
    public const int DefaultPerPage = 10;
    public const int MaxPerPage = 100;

    /// <summary>The last page that may be asked for: far past any list, and small enough that its offset fits in an int.</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>The 0-based page index the query services take.</summary>
    public int Index => Page - 1;

    public ApiPage<T> Of<T>(IReadOnlyList<T> items, int total) => new(items, total, Page, (total + PerPage - 1) / PerPage);

    /// <summary>Reads <c>page</c> and <c>per_page</c> from the query; false with the 400 to answer.</summary>
    public static bool TryRead(string? page, string? perPage, out ApiPaging paging, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        paging = default;
        problem = Check("page", page, 1, MaxPage, 1, out var number);
        var size = DefaultPerPage;
        problem ??= Check("per_page", perPage, 1, MaxPerPage, DefaultPerPage, out size);
        if (problem is not null)
        {
            return false;
        }

        paging = new ApiPaging(number, size);
        return true;
    }

    private static ValidationProblem? Check(string name, string? text, int min, int max, int fallback, out int value)
    {
        value = fallback;
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            return ApiProblems.Invalid(name, string.Create(CultureInfo.InvariantCulture, $"'{name}' must be a whole number from {min} to {max:N0}."));
        }

        return null;
    }
}
