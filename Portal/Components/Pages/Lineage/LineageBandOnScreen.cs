namespace Portal.Components.Pages.Lineage;

/// <summary>
/// What of a domain band is drawn (graph units): its box cut to the screen and a margin, the band's own edges within
/// that box as path data (dashed in the CSS; the cut edges are not drawn), and where its label sits: at the band's top,
/// or at the screen's top while the band's top is scrolled past.
/// </summary>
public sealed record LineageBandOnScreen(double Left, double Top, double Width, double Height, string Edges, double LabelX, double LabelY);
