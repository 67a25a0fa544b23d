using MudBlazor;
using Portal.Core.Adtech;
using Portal.Core.Audiences;

namespace Portal.Components.Shared;

/// <summary>How an adtech status reads and is coloured, the same on every page.</summary>
public static class StatusColors
{
    public static string Label(AdtechStatus status) => status switch
    {
        AdtechStatus.Posted => "POSTED",
        AdtechStatus.NotPosted => "NOT_POSTED",
        _ => "NOT_FETCHED",
    };

    public static Color Of(AdtechStatus status) => status switch
    {
        AdtechStatus.Posted => Color.Success,
        AdtechStatus.NotPosted => Color.Warning,
        _ => Color.Default,
    };

    public static Color Of(ExportRunStatus status) => status switch
    {
        ExportRunStatus.Succeeded => Color.Success,
        ExportRunStatus.Failed => Color.Error,
        _ => Color.Info,
    };
}
