using MudBlazor;

namespace Portal.Components.Layout;

public sealed record NavItem(string Title, string Href, string Icon, string Description, bool AdminOnly = false);

/// <summary>The left navigation, in order; Alt+1..9 follow this order and the search box finds pages by these names.</summary>
public static class PortalNavigation
{
    public static IReadOnlyList<NavItem> Items { get; } =
    [
        new("Dashboard", "", Icons.Material.Filled.SpaceDashboard, "Totals and the latest jobs"),
        new("Audiences", "audiences", Icons.Material.Filled.Groups, "Audience YAML state files and exports"),
        new("Rules", "rules", Icons.Material.Filled.Rule, "Segment rules and the condition builder"),
        new("Segments", "segments", Icons.Material.Filled.PieChart, "Segments built by rules"),
        new("Lineage", "lineage", Icons.Material.Filled.AccountTree, "Sources, rules, segments, audiences and destinations"),
        new("Connectors", "connectors", Icons.Material.Filled.CloudUpload, "Adtech destinations and their status"),
        new("Uploads", "uploads", Icons.Material.Filled.UploadFile, "CSV imports into datasets"),
        new("Jobs", "jobs", Icons.Material.Filled.WorkHistory, "Background jobs, schedules, progress"),
        new("Admin", "admin", Icons.Material.Filled.AdminPanelSettings, "Users, roles and the audit log", AdminOnly: true),
    ];

    public static NavItem? Find(string relativePath)
    {
        var first = relativePath.Split('?', '#')[0].Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        return Items.FirstOrDefault(i => string.Equals(i.Href, first, StringComparison.OrdinalIgnoreCase));
    }
}
