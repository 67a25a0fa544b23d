using MudBlazor;

namespace Portal.Components.Layout;

public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f4e79",
            Secondary = "#00897b",
            AppbarBackground = "#1f4e79",
            Background = "#f4f6f9",
            DrawerBackground = "#ffffff",
            TextSecondary = "#4a5563",
            // Darker than MudBlazor's defaults so status text on tinted chips meets WCAG AA contrast.
            Success = "#1b5e20",
            Info = "#0d47a1",
            Warning = "#8a4b00",
            Error = "#b71c1c",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7cb3e6",
            Secondary = "#4db6ac",
            AppbarBackground = "#1b2430",
            Background = "#12161c",
            Surface = "#1b2129",
            DrawerBackground = "#161b22",
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "4px",
            AppbarHeight = "48px",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontSize = "0.875rem", FontFamily = ["Inter", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"] },
        },
    };
}
