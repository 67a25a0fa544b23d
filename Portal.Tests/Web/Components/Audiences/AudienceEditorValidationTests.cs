using System.Text;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Audiences;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Tests.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Audiences;

/// <summary>The editor page's live check: only for people who may edit, and a hostile text answered with its problem.</summary>
public sealed class AudienceEditorValidationTests : DatabaseTest
{
    private static readonly string Stage1 = SeedStates.Stage1Basic + "\n";

    private async Task<CoreHost> HostWithAudienceAsync()
    {
        var host = await CoreHost.StartAsync(Folder);
        Assert.Equal(SaveOutcome.Saved, (await host.Get<AudienceEditor>().SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer)).Outcome);
        return host;
    }

    private static IElement TextArea(IRenderedComponent<AudienceEditorPage> page) => page.Find("textarea[aria-label='Audience YAML']");

    private static async Task<IRenderedComponent<AudienceEditorPage>> OpenAsync(BunitContext ctx)
    {
        var page = ctx.Render<AudienceEditorPage>(p => p.Add(x => x.Name, "demo_audience"));
        await page.WaitForAssertionAsync(() => Assert.Contains("TYPE_X", TextArea(page).GetAttribute("value") ?? "", StringComparison.Ordinal));
        return page;
    }

    [Fact]
    public async Task Editor_ViewerTypes_ReadOnlyAndNoCheckRuns()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);
        var validation = LiveValidation.For(host.Get<AudienceEditor>());
        ctx.Services.AddSingleton(validation);
        var page = await OpenAsync(ctx);
        var afterOpening = validation.Requests;

        await TextArea(page).InputAsync(new ChangeEventArgs { Value = Stage1.Replace("TYPE_X", "TYPE_Q", StringComparison.Ordinal) });

        Assert.True(TextArea(page).HasAttribute("readonly"));
        Assert.Equal(1, afterOpening);
        Assert.Equal(afterOpening, validation.Requests);
        Assert.Empty(page.FindAll("[aria-label='Problems'] [role='listitem']"));
    }

    [Fact]
    public async Task Editor_HostileTextTyped_ShowsTheProblemInsteadOfHanging()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = await OpenAsync(ctx);
        var bomb = new StringBuilder(Stage1).Append("  l0: &l0 [").AppendJoin(", ", Enumerable.Repeat("lol", 10)).Append("]\n");
        for (var i = 1; i < 9; i++)
        {
            bomb.Append($"  l{i}: &l{i} [").AppendJoin(", ", Enumerable.Repeat($"*l{i - 1}", 10)).Append("]\n");
        }

        await TextArea(page).InputAsync(new ChangeEventArgs { Value = bomb.Append("  ? *l8\n  : boom\n").ToString() });

        await page.WaitForAssertionAsync(() =>
        {
            var problem = Assert.Single(page.FindAll("[aria-label='Problems'] [role='listitem']"));
            Assert.Contains("15:", problem.TextContent, StringComparison.Ordinal);
            Assert.Contains("repeat more than 10,000 nodes", problem.TextContent, StringComparison.Ordinal);
        });
    }
}
