using Blazor.Diagrams.Core.Geometry;
using Bunit;
using Portal.Components.Pages.Lineage;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Lineage;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Lineage;

/// <summary>The Lineage tab of the segment and audience pages: the node's neighbourhood, built from the database and bucket.</summary>
public sealed class LineageNeighbourhoodTests : DatabaseTest
{
    [Fact]
    public async Task Render_AnAudience_DrawsItsTwoHopNeighbourhoodFocusedOnIt()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo"), "demo:\n  description: d\n  source: {endpoint: demo/}\n  adtechB:\n    name: B\n", null);
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("other"), "other:\n  description: d\n  source: {endpoint: other/}\n  adtechA:\n    name: A\n    audience_type: TYPE_X\n", null);
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);
        ctx.JSInterop.Setup<Rectangle>("ZBlazorDiagrams.getBoundingClientRect", _ => true).SetResult(new Rectangle(0, 0, 800, 500));

        var view = ctx.Render<LineageNeighbourhood>(p => p.Add(x => x.FocusId, LineageBuilder.AudienceId("demo")).Add(x => x.Hops, 2));

        await view.WaitForAssertionAsync(() => Assert.NotNull(view.FindComponent<LineageGraphView>().Instance.Diagram), TimeSpan.FromSeconds(10));
        var ids = view.FindComponent<LineageGraphView>().Instance.Diagram!.Nodes.Keys.ToList();
        Assert.Contains(LineageBuilder.AudienceId("demo"), ids);
        Assert.Contains(LineageBuilder.SourceId("demo/"), ids);
        Assert.Contains(LineageBuilder.AdtechId("adtechB"), ids);
        // Two hops out through the catalog job reaches the other audience, but not its own source or adtech (three hops).
        Assert.Contains(LineageBuilder.AudienceId("other"), ids);
        Assert.DoesNotContain(LineageBuilder.SourceId("other/"), ids);
        Assert.DoesNotContain(LineageBuilder.AdtechId("adtechA"), ids);
        Assert.Equal("demo", view.Find("aside[aria-label='Node details'] h2").TextContent);
        view.WaitForAssertion(() => Assert.Equal("true", view.Find($"[data-lineage-id='{LineageBuilder.AudienceId("demo")}']").GetAttribute("aria-pressed")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Render_ASegmentNotInTheGraph_SaysSoAndDrawsNothing()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);

        var view = ctx.Render<LineageNeighbourhood>(p => p.Add(x => x.FocusId, LineageBuilder.SegmentId(999)));

        await view.WaitForAssertionAsync(() => Assert.Contains("Not in the lineage graph yet", view.Markup, StringComparison.Ordinal));
        Assert.Empty(view.FindComponents<LineageGraphView>());
    }
}
