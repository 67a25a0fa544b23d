using MudBlazor;

namespace Portal.Components.Shared;

/// <summary>Server-paged grids after their filter or search changed.</summary>
public static class DataGridPaging
{
    /// <summary>
    /// Loads the grid's first page again: a new filter shows its first page, since the page the grid was on may not exist
    /// under it (page 2 of 2,000 audiences is empty among 20). One load either way.
    /// </summary>
    public static Task ReloadFromFirstPageAsync<T>(this MudDataGrid<T>? grid)
    {
        if (grid is null)
        {
            return Task.CompletedTask;
        }

        if (grid.CurrentPage == 0)
        {
            return grid.ReloadServerData();
        }

        grid.NavigateTo(Page.First); // loads the first page itself
        return Task.CompletedTask;
    }
}
