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

/// <summary>
/// The editor page with the real editor service and bucket. bUnit runs no JavaScript, so the page's code editor falls back
/// to its plain text area: the same text flow (edit → validate → markers → save) as with Monaco.
/// </summary>
public sealed class AudienceEditorPageTests : DatabaseTest
{
    private static readonly string Stage1 = SeedStates.Stage1Basic + "\n";

    private async Task<CoreHost> HostWithAudienceAsync(string? defaultCountry = null)
    {
        var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Audiences:DefaultCountry"] = defaultCountry });
        Assert.Equal(SaveOutcome.Saved, (await host.Get<AudienceEditor>().SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer)).Outcome);
        return host;
    }

    private static IRenderedComponent<AudienceEditorPage> Open(Bunit.BunitContext ctx, string name) =>
        ctx.Render<AudienceEditorPage>(p => p.Add(x => x.Name, name));

    private static IElement TextArea(IRenderedComponent<AudienceEditorPage> page) => page.Find("textarea[aria-label='Audience YAML']");

    private static IElement SaveButton(IRenderedComponent<AudienceEditorPage> page) =>
        page.FindAll("button").First(b => b.TextContent.Trim() == "Save");

    [Fact]
    public async Task Form_AdtechCard_ShowsItsLatestRunsChangeAndMatchRate()
    {
        await using var host = await HostWithAudienceAsync();
        await using (var db = await host.DbAsync())
        {
            var run = Portal.Tests.Web.Components.Segments.SegmentDetailPageTests.Run(1, AdtechKeys.AdtechA, "Synced", 30, 4, Portal.Core.Adtech.ExportRunStatus.Succeeded,
                members: 200, matched: 130, audience: "demo_audience");
            db.ExportRuns.Add(run);
            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "demo_audience");

        await page.WaitForAssertionAsync(() =>
        {
            var card = page.Find("[aria-label='AdtechA settings']");
            Assert.Equal("+30 / −4", card.QuerySelector("[aria-label='AdtechA last run added / removed']")!.TextContent);
            Assert.Equal("65 % matched", card.QuerySelector("[aria-label='AdtechA last run match rate']")!.TextContent);
        });
    }

    [Fact]
    public async Task Editor_InvalidEdit_ListsProblemWithLineAndColumnAndSaveWritesNothing()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.Contains("TYPE_X", TextArea(page).GetAttribute("value") ?? TextArea(page).TextContent, StringComparison.Ordinal));

        await TextArea(page).InputAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = Stage1.Replace("TYPE_X", "TYPE_Q", StringComparison.Ordinal) });

        await page.WaitForAssertionAsync(() =>
        {
            var problem = Assert.Single(page.FindAll("[aria-label='Problems'] [role='listitem']"));
            Assert.Contains("11:20", problem.TextContent, StringComparison.Ordinal);
            Assert.Contains("demo_audience.adtechA.audience_type", problem.TextContent, StringComparison.Ordinal);
        });
        await SaveButton(page).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        Assert.Equal(Stage1, (await host.Get<AudienceEditor>().OpenAsync("demo_audience"))!.Text);
        Assert.Empty(await host.Get<AudienceEditor>().HistoryAsync("demo_audience"));
    }

    [Fact]
    public async Task Editor_FormEdit_RewritesYamlAndSaveKeepsHistory()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.FindComponent<AudienceForm>()));

        var form = page.FindComponent<AudienceForm>();
        await form.InvokeAsync(() => form.Instance.OnEdit.InvokeAsync(s => s.SetDescription("Edited from the form")));
        await form.InvokeAsync(() => form.Instance.OnEdit.InvokeAsync(s => s.AddAdtech(AdtechKeys.AdtechB)));

        await page.WaitForAssertionAsync(() =>
        {
            var text = TextArea(page).GetAttribute("value") ?? "";
            Assert.Contains("description: Edited from the form", text, StringComparison.Ordinal);
            Assert.Contains("adtechB:", text, StringComparison.Ordinal);
            Assert.NotNull(page.Find("[aria-label='Unsaved changes']"));
        });
        await SaveButton(page).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        var saved = (await host.Get<AudienceEditor>().OpenAsync("demo_audience"))!.Text;
        var state = AudienceStateParser.Parse("demo_audience.yml", saved);
        Assert.True(state.IsValid, string.Join("; ", state.Issues));
        Assert.Equal("Edited from the form", state.State!.Description);
        Assert.Equal("1000", state.State.AdtechSetting(AdtechKeys.AdtechB, "expiration_time"));
        Assert.Equal("demo_audience", state.State.AdtechName(AdtechKeys.AdtechB));
        Assert.Single(await host.Get<AudienceEditor>().HistoryAsync("demo_audience"));
        await page.WaitForAssertionAsync(() => Assert.Empty(page.FindAll("[aria-label='Unsaved changes']")));
    }

    [Fact]
    public async Task Editor_SyncScheduleTypedInTheForm_WritesTheKeyShowsTheNextRunsAndSaveMakesTheSchedule()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("input[aria-label='AdtechA sync schedule']")));

        await page.Find("input[aria-label='AdtechA sync schedule']").ChangeAsync(new ChangeEventArgs { Value = "0 6 * * *" });

        await page.WaitForAssertionAsync(() =>
        {
            Assert.Contains("sync_schedule: 0 6 * * *", TextArea(page).GetAttribute("value") ?? "", StringComparison.Ordinal);
            Assert.StartsWith("Next: ", page.Find("[aria-label='AdtechA sync schedule'] [aria-label='Next runs']").TextContent.Trim(), StringComparison.Ordinal);
        });
        await SaveButton(page).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        await page.WaitForAssertionAsync(() => Assert.Null(page.FindAll("[aria-label='Unsaved changes']").FirstOrDefault()));
        var schedules = await host.Get<Portal.Core.Jobs.JobSchedules>().ListAsync();
        var schedule = Assert.Single(schedules, s => s.Payload == CatalogRunJob.FetchAndSyncPayloadFor("demo_audience", AdtechKeys.AdtechA));
        Assert.Equal(("Sync demo_audience to AdtechA", "0 6 * * *"), (schedule.Name, schedule.Cron));
    }

    [Fact]
    public async Task Editor_GoogleBlock_LifeSpanHelpSays0To540AndNoLongerOffersNoExpiry()
    {
        await using var host = await HostWithAudienceAsync();
        var google = Stage1 + "  googleAds:\n    name: G\n    membership_life_span: 10000\n";
        Assert.Equal(SaveOutcome.Saved, (await host.Get<AudienceEditor>().SaveAsync("demo_audience", google, (await host.Get<AudienceEditor>().OpenAsync("demo_audience"))!.Version,
            CoreHost.Marketer)).Outcome);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.FindComponent<AudienceForm>()));

        var field = page.FindComponents<MudBlazor.MudTextField<string>>().Single(f => f.Instance.Label == "Membership life span (days)").Instance;

        Assert.Contains("0 to 540 days", field.HelperText, StringComparison.Ordinal);
        Assert.DoesNotContain("no expiry", field.HelperText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editor_CountryPicked_WritesTheKeyAndDefaultRemovesIt()
    {
        await using var host = await HostWithAudienceAsync(defaultCountry: "IN");
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.FindComponent<AudienceForm>()));
        MudBlazor.MudSelect<string> CountrySelect() => page.FindComponents<MudBlazor.MudSelect<string>>().Single(s => s.Instance.Label == "Country").Instance;
        await page.WaitForAssertionAsync(() => Assert.Contains("Default (IN)", page.Find("[aria-label='Audience form']").InnerHtml, StringComparison.Ordinal));

        await page.InvokeAsync(() => CountrySelect().ValueChanged.InvokeAsync("GB"));
        await page.WaitForAssertionAsync(() => Assert.Contains("  country: GB\n", TextArea(page).GetAttribute("value") ?? "", StringComparison.Ordinal));
        await SaveButton(page).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        var saved = AudienceStateParser.Parse("demo_audience.yml", (await host.Get<AudienceEditor>().OpenAsync("demo_audience"))!.Text, "IN");
        Assert.True(saved.IsValid, string.Join("; ", saved.Issues));
        Assert.Equal("GB", saved.State!.Country!.Code);

        await page.InvokeAsync(() => CountrySelect().ValueChanged.InvokeAsync(""));
        await page.WaitForAssertionAsync(() => Assert.DoesNotContain("country:", TextArea(page).GetAttribute("value") ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Editor_UnknownCountryTyped_ListsItWithLineAndColumn()
    {
        await using var host = await HostWithAudienceAsync(defaultCountry: "IN");
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.Contains("TYPE_X", TextArea(page).GetAttribute("value") ?? TextArea(page).TextContent, StringComparison.Ordinal));

        var text = Stage1.Replace("\n\n  source:", "\n  country: XX\n\n  source:", StringComparison.Ordinal);
        await TextArea(page).InputAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = text });

        await page.WaitForAssertionAsync(() =>
        {
            var problem = Assert.Single(page.FindAll("[aria-label='Problems'] [role='listitem']"));
            Assert.Contains("3:12", problem.TextContent, StringComparison.Ordinal);
            Assert.Contains("demo_audience.country", problem.TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Editor_SomeoneSavedMeanwhile_RefusesWithDiffAndKeepsTheirVersion()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => TextArea(page));

        var editor = host.Get<AudienceEditor>();
        var theirs = Stage1.Replace("New Audience", "Their Name", StringComparison.Ordinal);
        var opened = await editor.OpenAsync("demo_audience");
        Assert.Equal(SaveOutcome.Saved, (await editor.SaveAsync("demo_audience", theirs, opened!.Version, CoreHost.Admin)).Outcome);

        var mine = Stage1.Replace("New Audience", "My Name", StringComparison.Ordinal);
        await TextArea(page).InputAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = mine });
        await SaveButton(page).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        await page.WaitForAssertionAsync(() =>
        {
            Assert.Contains("Someone saved demo_audience after you opened it", page.Find("[aria-label='Save conflict']").TextContent, StringComparison.Ordinal);
            var diff = page.Find("[aria-label='Their version against yours']");
            Assert.Contains(page.FindAll(".portal-diff-removed"), l => l.TextContent.Contains("Their Name", StringComparison.Ordinal));
            Assert.Contains(page.FindAll(".portal-diff-added"), l => l.TextContent.Contains("My Name", StringComparison.Ordinal));
            Assert.NotNull(diff);
        });
        Assert.Equal(theirs, (await editor.OpenAsync("demo_audience"))!.Text);
    }

    [Fact]
    public async Task Editor_ForViewer_IsReadOnlyWithoutSave()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.True(TextArea(page).HasAttribute("readonly")));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() == "Save");
    }

    [Fact]
    public async Task Editor_UnknownAudience_SaysSo()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = Open(ctx, "no_such_audience");
        await page.WaitForAssertionAsync(() => Assert.Contains("No audience named 'no_such_audience'", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Editor_ViewerTypes_NoCheckRunsAndNoProblemShows()
    {
        await using var host = await HostWithAudienceAsync();
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);
        var validation = LiveValidation.For(host.Get<AudienceEditor>());
        ctx.Services.AddSingleton(validation);
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.Contains("TYPE_X", TextArea(page).GetAttribute("value") ?? "", StringComparison.Ordinal));
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
        var page = Open(ctx, "demo_audience");
        await page.WaitForAssertionAsync(() => Assert.Contains("TYPE_X", TextArea(page).GetAttribute("value") ?? "", StringComparison.Ordinal));

        await TextArea(page).InputAsync(new ChangeEventArgs { Value = HostileYamlTests.Laughs(Stage1, 9) + "  ? *l8\n  : boom\n" });

        await page.WaitForAssertionAsync(() =>
        {
            var problem = Assert.Single(page.FindAll("[aria-label='Problems'] [role='listitem']"));
            Assert.Contains("15:", problem.TextContent, StringComparison.Ordinal);
            Assert.Contains("repeat more than 10,000 nodes", problem.TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Editor_StateFileOverTheSizeLimit_SaysSoWithoutOpeningIt()
    {
        await using var host = await HostWithAudienceAsync();
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("big"), "big:\n  description: " + new string('x', 2 * 1024 * 1024), null);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);

        var page = Open(ctx, "big");

        await page.WaitForAssertionAsync(() => Assert.Contains("a state file may be at most 1,048,576 bytes", page.Markup, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("textarea"));
    }
}
