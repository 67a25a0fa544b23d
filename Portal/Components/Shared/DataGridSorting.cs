using MudBlazor;
using Portal.Core.Data;

namespace Portal.Components.Shared;

/// <summary>Server-sorted grids: the grid's sorted column as its query takes it.</summary>
public static class DataGridSorting
{
    /// <summary>
    /// The sorted column as a <see cref="GridSort{TField}"/>, <paramref name="field"/> mapping the column's property name
    /// to the query's field; null when no column is sorted (the query's own order).
    /// </summary>
    public static GridSort<TField>? SortOf<T, TField>(this GridState<T> state, Func<string, TField> field)
        where TField : struct, Enum =>
        state.SortDefinitions.FirstOrDefault() is { } s ? new(field(s.SortBy), s.Descending) : null;
}
