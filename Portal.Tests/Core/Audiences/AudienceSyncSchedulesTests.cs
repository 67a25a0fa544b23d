using Portal.Core.Audiences;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>An adtech block's <c>sync_schedule</c> kept as one job schedule per audience × adtech, by the editor and by catalog runs.</summary>
public sealed class AudienceSyncSchedulesTests : DatabaseTest
{
    private const string Scheduled = """
        demo_audience:
          description: Scheduled
          source:
            endpoint: demo-endpoint/
          adtechA:
            name: New Audience
            audience_type: TYPE_X
            sync_schedule: 0 6 * * *
          adtechB:
            name: New Audience
        """;

    private static async Task<IReadOnlyList<JobSchedule>> SyncSchedulesAsync(CoreHost host) =>
        (await host.Get<JobSchedules>().ListAsync()).Where(s => s.Kind == CatalogRunJob.Kind && s.Payload != "{}").ToList();

    [Fact]
    public async Task Save_SyncScheduleOnOneAdtech_KeepsOneScheduleThatFetchesAndSyncsThere()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var saved = await host.Get<AudienceEditor>().SaveAsync("demo_audience", Scheduled, null, CoreHost.Marketer);

        Assert.Equal(SaveOutcome.Saved, saved.Outcome);
        var schedule = Assert.Single(await SyncSchedulesAsync(host));
        Assert.Equal(("Sync demo_audience to AdtechA", "0 6 * * *", CatalogRunJob.FetchAndSyncPayloadFor("demo_audience", AdtechKeys.AdtechA)),
            (schedule.Name, schedule.Cron, schedule.Payload));
        Assert.Equal(new CatalogRunScope("demo_audience", AdtechKeys.AdtechA, 7, Sync: true, Fetch: true),
            CatalogRunPayload.FromJson(schedule.Payload).ToScope(7));
    }

    [Fact]
    public async Task Save_ScheduleChangedThenRemoved_TheScheduleFollowsAndGoes()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var editor = host.Get<AudienceEditor>();
        var first = await editor.SaveAsync("demo_audience", Scheduled, null, CoreHost.Marketer);
        var id = Assert.Single(await SyncSchedulesAsync(host)).Id;

        var second = await editor.SaveAsync("demo_audience", Scheduled.Replace("0 6 * * *", "30 2 * * 1", StringComparison.Ordinal), first.Version, CoreHost.Marketer);
        var changed = Assert.Single(await SyncSchedulesAsync(host));
        Assert.Equal((id, "30 2 * * 1"), (changed.Id, changed.Cron));

        await editor.SaveAsync("demo_audience", Scheduled.Replace("    sync_schedule: 0 6 * * *\n", "", StringComparison.Ordinal)
            .Replace("30 2 * * 1", "", StringComparison.Ordinal), second.Version, CoreHost.Marketer);
        Assert.Empty(await SyncSchedulesAsync(host));
    }

    [Theory]
    [InlineData("'*/30 * * * * *'", "sync_schedule")]
    [InlineData("every day", "sync_schedule")]
    public async Task Save_UnusableSchedule_IsInvalidAtItsLineAndColumnAndMakesNoSchedule(string cron, string key)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var result = await host.Get<AudienceEditor>().SaveAsync("demo_audience", Scheduled.Replace("0 6 * * *", cron, StringComparison.Ordinal), null, CoreHost.Marketer);

        Assert.Equal(SaveOutcome.Invalid, result.Outcome);
        var issue = Assert.Single(result.Issues);
        Assert.Equal(($"demo_audience.adtechA.{key}", 8, 20), (issue.Field, issue.Line, issue.Column));
        Assert.StartsWith("'sync_schedule' is not a usable schedule (cron, UTC): ", issue.Message, StringComparison.Ordinal);
        Assert.Empty(await SyncSchedulesAsync(host));
    }

    [Fact]
    public void SetAdtechSetting_ScheduleStartingWithAStar_IsWrittenSoThatItReadsBack()
    {
        var state = AudienceStateParser.Parse("demo_audience.yml", Scheduled).State!;

        state.SetAdtechSetting(AdtechKeys.AdtechB, AdtechKeys.SyncSchedule, "*/15 * * * *");
        var again = AudienceStateParser.Parse("demo_audience.yml", state.ToYaml());

        Assert.True(again.IsValid, string.Join("; ", again.Issues));
        Assert.Equal("*/15 * * * *", again.State!.SyncSchedule(AdtechKeys.AdtechB));
    }

    [Fact]
    public void Parse_SyncAfterRefreshNotABoolean_IsAnIssueNamingTheField()
    {
        var text = Scheduled.Replace("    sync_schedule: 0 6 * * *", "    sync_after_refresh: sometimes", StringComparison.Ordinal);

        var issue = Assert.Single(AudienceStateParser.Parse("demo_audience.yml", text).Issues);

        Assert.Equal(("demo_audience.adtechA.sync_after_refresh", 8, 25, "'sync_after_refresh' must be true or false."),
            (issue.Field, issue.Line, issue.Column, issue.Message));
    }

    [Fact]
    public async Task CatalogRun_FileWrittenToTheBucketDirectly_GetsItsScheduleAndAGoneAudienceLosesIt()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("demo_audience"), Scheduled, null);
        var runner = host.Get<CatalogRunner>();

        await runner.RunAsync(null);
        Assert.Equal("Sync demo_audience to AdtechA", Assert.Single(await SyncSchedulesAsync(host)).Name);

        await bucket.DeleteAsync(AudienceCatalog.StatePath("demo_audience"));
        await runner.RunAsync(null);
        Assert.Empty(await SyncSchedulesAsync(host));
    }
}
