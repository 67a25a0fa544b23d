using System.Linq.Expressions;

namespace Portal.Core.Data;

/// <summary>A grid's sort: the column (one of the query's own enum) and the direction.</summary>
public sealed record GridSort<TField>(TField Field, bool Descending)
    where TField : struct, Enum;

/// <summary>A grid's column sort, done by the database: one key, either way (the caller adds a tie-breaker, so pages never overlap).</summary>
public static class QuerySorting
{
    public static IOrderedQueryable<T> SortBy<T, TKey>(this IQueryable<T> query, Expression<Func<T, TKey>> key, bool descending) =>
        descending ? query.OrderByDescending(key) : query.OrderBy(key);

    /// <summary>A tie-breaker in the sort's own direction (a time column's ties by id, oldest or newest first with it).</summary>
    public static IOrderedQueryable<T> ThenSortBy<T, TKey>(this IOrderedQueryable<T> query, Expression<Func<T, TKey>> key, bool descending) =>
        descending ? query.ThenByDescending(key) : query.ThenBy(key);
}
