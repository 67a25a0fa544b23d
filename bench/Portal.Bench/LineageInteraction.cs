using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.E2E;

namespace Portal.Bench;

/// <summary>
/// On a drawn lineage page: wheel-zoom steps and drag-pan steps (each a server round trip that redraws what came into
/// view), timed in the page from the event until the canvas's transform has changed and a frame is painted (and, apart,
/// until the change is seen at a frame: the server's share); then the portal's resident memory before and after
/// opening three more pages of the same view, per page.
/// </summary>
internal static class LineageInteraction
{
    private const string Steps = """
        async () => {
            const canvas = document.querySelector(".diagram-canvas");
            const layer = document.querySelector(".diagram-html-layer");
            const frame = () => new Promise(r => requestAnimationFrame(r));
            const box = canvas.getBoundingClientRect();
            const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
            const answered = [];
            async function step(fire) {
                const before = layer.style.transform;
                const started = performance.now();
                fire();
                while (layer.style.transform === before) {
                    if (performance.now() - started > 5000) return null;
                    await frame();
                }
                answered.push(performance.now() - started);
                await frame();
                return performance.now() - started;
            }
            const zoom = [];
            for (let i = 0; i < 8; i++) {
                zoom.push(await step(() => canvas.dispatchEvent(new WheelEvent("wheel", { deltaY: i % 2 ? 100 : -100, clientX: x, clientY: y, bubbles: true }))));
            }
            const pan = [];
            const pointer = (type, dx) => canvas.dispatchEvent(new PointerEvent(type, { clientX: x + dx, clientY: y + dx / 2, bubbles: true, pointerId: 1, isPrimary: true, button: 0, buttons: 1 }));
            pointer("pointerdown", 0);
            for (let i = 1; i <= 10; i++) {
                pan.push(await step(() => pointer("pointermove", i * 40)));
            }
            pointer("pointerup", 400);
            return { answered, zoom, pan, drawn: document.querySelectorAll(".lineage-node").length };
        }
        """;

    public static async Task MeasureAsync(IPage page, PortalProcess portal, IBrowser browser, string path)
    {
        var seen = await page.EvaluateAsync<JsonElement>(Steps);
        var zoom = Times(seen.GetProperty("zoom"));
        var pan = Times(seen.GetProperty("pan"));
        var answered = Times(seen.GetProperty("answered"));
        Console.WriteLine($"  zoom steps: {string.Join(" ", zoom.Select(Ms))} (median {Ms(Median(zoom))});  pan steps: {string.Join(" ", pan.Select(Ms))} (median {Ms(Median(pan))}); "
            + $"{seen.GetProperty("drawn").GetInt32()} nodes drawn after; target <= 50 ms each");
        Console.WriteLine($"  of which the server's answer (the new transform in the DOM, seen at a frame): median {Ms(Median(answered))} ms, the rest the frame that draws it");

        var before = PortalQuiet.ResidentMegabytes(portal.ProcessId);
        var pages = new List<IPage>();
        for (var i = 0; i < 3; i++)
        {
            var more = await page.Context.NewPageAsync();
            await more.GotoAsync(portal.BaseUrl + path);
            await more.Locator("[data-testid='lineage-canvas'][data-ready='true']").WaitForAsync(new() { Timeout = 120_000, State = WaitForSelectorState.Attached });
            pages.Add(more);
        }

        await Task.Delay(2_000);
        var after = PortalQuiet.ResidentMegabytes(portal.ProcessId);
        Console.WriteLine($"  server memory: {before:N0} MB resident before, {after:N0} MB with 3 more pages open: {(after - before) / 3:N1} MB per page (target <= 40 MB)");
        foreach (var more in pages)
        {
            await more.CloseAsync();
        }
    }

    private static List<double> Times(JsonElement values) =>
        values.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN).ToList();

    private static string Ms(double ms) => double.IsNaN(ms) ? "—" : ms.ToString("0", CultureInfo.InvariantCulture);

    private static double Median(List<double> values) => values.Count == 0 ? double.NaN : values.Order().ElementAt(values.Count / 2);
}
