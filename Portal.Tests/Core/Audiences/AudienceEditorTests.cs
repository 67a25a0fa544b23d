using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

public sealed class AudienceEditorTests : DatabaseTest
{
    private static readonly string Stage1 = SeedStates.Stage1Basic + "\n";
    private static readonly string Stage3 = SeedStates.Stage3FurtherConfiguration + "\n";

    private async Task<CoreHost> HostAsync() =>
        await CoreHost.StartAsync(Folder);

    [Fact]
    public async Task Save_NewAudience_CreatesItAndAudits()
    {
        await using var host = await HostAsync();
        var editor = host.Get<AudienceEditor>();
        var result = await editor.SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer);
        Assert.Equal(SaveOutcome.Saved, result.Outcome);
        var opened = await editor.OpenAsync("demo_audience");
        Assert.Equal(Stage1, opened!.Text);
        Assert.Equal(result.Version, opened.Version);
        Assert.Contains((await host.Get<AuditLog>().ListAsync("audience", 0, 10)).Items, a => a.Action == "audience.created" && a.Actor == "marketer@tests.local");
    }

    [Fact]
    public async Task Save_Invalid_ReturnsEveryIssueAndWritesNothing()
    {
        await using var host = await HostAsync();
        var editor = host.Get<AudienceEditor>();
        var saved = await editor.SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer);
        var broken = Stage1.Replace("TYPE_X", "TYPE_Q", StringComparison.Ordinal).Replace("  description: A demo", "  descriptionx: A demo", StringComparison.Ordinal);

        var result = await editor.SaveAsync("demo_audience", broken, saved.Version, CoreHost.Marketer);
        Assert.Equal(SaveOutcome.Invalid, result.Outcome);
        Assert.Contains(result.Issues, i => i.Field == "demo_audience.adtechA.audience_type" && i.Line == 11 && i.Column == 20);
        Assert.Contains(result.Issues, i => i.Field == "demo_audience.description");
        Assert.Equal(Stage1, (await editor.OpenAsync("demo_audience"))!.Text);
        Assert.Empty(await editor.HistoryAsync("demo_audience"));
    }

    [Fact]
    public async Task Save_OverSomeoneElsesNewerChange_IsRefusedWithTheirText()
    {
        await using var host = await HostAsync();
        var editor = host.Get<AudienceEditor>();
        var opened = await editor.SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer);
        var theirs = await editor.SaveAsync("demo_audience", Stage3, opened.Version, CoreHost.Admin);
        Assert.Equal(SaveOutcome.Saved, theirs.Outcome);

        var mine = await editor.SaveAsync("demo_audience", Stage1.Replace("New Audience", "My Audience", StringComparison.Ordinal), opened.Version, CoreHost.Marketer);
        Assert.Equal(SaveOutcome.Conflict, mine.Outcome);
        Assert.Equal(Stage3, mine.CurrentText);
        Assert.Equal(theirs.Version, mine.CurrentVersion);
        Assert.Equal(Stage3, (await editor.OpenAsync("demo_audience"))!.Text);
    }

    [Fact]
    public async Task Save_ExistingNameAsNew_IsRefused()
    {
        await using var host = await HostAsync();
        var editor = host.Get<AudienceEditor>();
        await editor.SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer);
        var again = await editor.SaveAsync("demo_audience", Stage3, null, CoreHost.Marketer);
        Assert.Equal(SaveOutcome.Conflict, again.Outcome);
        Assert.Contains("already exists", Assert.Single(again.Issues).Message, StringComparison.Ordinal);
        Assert.Equal(Stage1, again.CurrentText);
        Assert.Equal(Stage1, (await editor.OpenAsync("demo_audience"))!.Text);
    }

    [Fact]
    public async Task Save_NewNameDifferingOnlyInCase_IsRefused()
    {
        await using var host = await HostAsync();
        var editor = host.Get<AudienceEditor>();
        await editor.SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer);

        var other = await editor.SaveAsync("Demo_Audience", Stage1.Replace("demo_audience:", "Demo_Audience:", StringComparison.Ordinal), null, CoreHost.Admin);

        Assert.Equal(SaveOutcome.Conflict, other.Outcome);
        Assert.Equal("An audience named 'demo_audience' already exists (names must be unique, ignoring case); choose another name.", Assert.Single(other.Issues).Message);
        Assert.Equal(["state/demo_audience.yml"], await host.Get<IBucket>().ListAsync(AudienceCatalog.StateFolder).Select(i => i.Path).ToListAsync());
    }

    [Fact]
    public async Task Save_TwoCreatesOfOneNameAtOnce_OneWinsAndTheOtherIsToldTheNameExists()
    {
        // Both creates look for the name before either writes: the race a check-then-write loses.
        var bucket = new RacingBucket(Path.Combine(Folder.Path, "bucket"), racers: 2);
        await using var host = await CoreHost.StartAsync(Folder, s => s.AddSingleton<IBucket>(bucket));
        var editor = host.Get<AudienceEditor>();
        var stage3 = Stage3;

        var results = await Task.WhenAll(
            Task.Run(() => editor.SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer)),
            Task.Run(() => editor.SaveAsync("demo_audience", stage3, null, CoreHost.Admin)));

        var won = Assert.Single(results, r => r.Outcome == SaveOutcome.Saved);
        var lost = Assert.Single(results, r => r.Outcome == SaveOutcome.Conflict);
        var winner = won == results[0] ? Stage1 : stage3;
        Assert.Equal("An audience named 'demo_audience' already exists; open it to change it, or choose another name.", Assert.Single(lost.Issues).Message);
        Assert.Equal(winner, lost.CurrentText);
        Assert.Equal(winner, (await editor.OpenAsync("demo_audience"))!.Text);
        Assert.Equal(won.Version, lost.CurrentVersion);
        Assert.Single((await host.Get<AuditLog>().ListAsync("audience", 0, 10)).Items, a => a.Action == "audience.created");
    }

    [Fact]
    public async Task History_KeepsEachReplacedVersion_AndRevertBringsOneBack()
    {
        await using var host = await HostAsync();
        var editor = host.Get<AudienceEditor>();
        var v1 = await editor.SaveAsync("demo_audience", Stage1, null, CoreHost.Marketer);
        var v2 = await editor.SaveAsync("demo_audience", Stage3, v1.Version, CoreHost.Admin);

        var revision = Assert.Single(await editor.HistoryAsync("demo_audience"));
        Assert.Equal("admin@tests.local", revision.SavedBy);
        Assert.Equal(Stage1, await editor.RevisionTextAsync(revision));

        var reverted = await editor.RevertAsync("demo_audience", revision, v2.Version!, CoreHost.Marketer);
        Assert.Equal(SaveOutcome.Saved, reverted.Outcome);
        Assert.Equal(Stage1, (await editor.OpenAsync("demo_audience"))!.Text);
        Assert.Equal(2, (await editor.HistoryAsync("demo_audience")).Count);
        var actions = (await host.Get<AuditLog>().ListAsync("audience", 0, 20)).Items.Select(a => a.Action).ToList();
        Assert.Contains("audience.reverted", actions);
        Assert.Equal(2, actions.Count(a => a == "audience.saved"));
    }

    [Fact]
    public async Task Save_AsViewer_IsRefused()
    {
        await using var host = await HostAsync();
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<AudienceEditor>().SaveAsync("demo_audience", Stage1, null, CoreHost.Viewer));
        Assert.Null(await host.Get<AudienceEditor>().OpenAsync("demo_audience"));
    }

    [Fact]
    public async Task Open_UnsafeName_IsRefused()
    {
        await using var host = await HostAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => host.Get<AudienceEditor>().OpenAsync("../secrets"));
    }
}
