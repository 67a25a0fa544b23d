using System.Globalization;

namespace Portal.Components.Pages.Lineage;

/// <summary>Edge geometry shared by the canvas and the SVG export.</summary>
public static class LineagePaths
{
    /// <summary>A horizontal S-curve between two points (control points half-way across), in invariant SVG path syntax.</summary>
    public static string Curve(double x1, double y1, double x2, double y2)
    {
        var bend = Math.Max(30, Math.Abs(x2 - x1) / 2);
        return string.Create(CultureInfo.InvariantCulture, $"M{x1:0.#} {y1:0.#}C{x1 + bend:0.#} {y1:0.#} {x2 - bend:0.#} {y2:0.#} {x2:0.#} {y2:0.#}");
    }

    /// <summary>A straight line between two points, in invariant SVG path syntax.</summary>
    public static string Line(double x1, double y1, double x2, double y2) =>
        string.Create(CultureInfo.InvariantCulture, $"M{x1:0.#} {y1:0.#}L{x2:0.#} {y2:0.#}");
}
