namespace Portal.Core.Lineage;

/// <summary>Which layered (Sugiyama) layout places a lineage view; both are measured by <c>bench lineage-layout</c>.</summary>
public enum LineageLayoutEngine
{
    /// <summary>MSAGL's layered layout (package AutomaticGraphLayout), without its edge routing: the portal's layout.</summary>
    Msagl,

    /// <summary>GraphShape's Sugiyama over QuikGraph: the portal's layout before MSAGL, kept to compare against.</summary>
    GraphShape,
}
