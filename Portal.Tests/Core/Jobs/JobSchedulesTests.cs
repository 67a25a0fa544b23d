using Portal.Core.Dashboard;
using Portal.Core.Segments;
using Portal.Core.Uploads;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Jobs;

public sealed class JobSchedulesTests : DatabaseTest
{
    private const string Payload = """{"rule":7}""";

    [Fact]
    public async Task SetForPayload_NameTakenByAnother_GetsANumber()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var schedules = host.Get<JobSchedules>();
        await schedules.CreateAsync("Nightly", RecomputeDashboardTotalsJob.Kind, "0 1 * * *", CoreHost.Admin);

        var schedule = await schedules.SetForPayloadAsync("Nightly", RecomputeDashboardTotalsJob.Kind, Payload, "0 2 * * *", CoreHost.Marketer);

        Assert.Equal(("Nightly (2)", Payload), (schedule!.Name, schedule.Payload));
        Assert.Equal(2, (await schedules.ListAsync()).Count);
        Assert.Equal(schedule.Id, (await schedules.SetForPayloadAsync("Nightly", RecomputeDashboardTotalsJob.Kind, Payload, "0 2 * * *", CoreHost.Marketer))!.Id);
    }

    [Fact]
    public async Task SetForPayload_MalformedCron_IsRefusedWithTheReason()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var ex = await Assert.ThrowsAsync<ScheduleValidationException>(() =>
            host.Get<JobSchedules>().SetForPayloadAsync("Broken", RecomputeDashboardTotalsJob.Kind, Payload, "61 * * * *", CoreHost.Admin));
        Assert.Equal("Cron", ex.Field);
        Assert.Empty(await host.Get<JobSchedules>().ListAsync());
    }

    [Fact]
    public async Task SetForPayload_AsViewer_IsRefused()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            host.Get<JobSchedules>().SetForPayloadAsync("x", RecomputeDashboardTotalsJob.Kind, Payload, "0 1 * * *", CoreHost.Viewer));
    }

    [Theory]
    [InlineData("* * * * * *", "runs as often as every second")]
    [InlineData("*/10 * * * * *", "runs as often as every 10 seconds")]
    public async Task Create_RunsMoreThanOnceAMinute_IsRefusedWithTheReason(string cron, string expected)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var ex = await Assert.ThrowsAsync<ScheduleValidationException>(() =>
            host.Get<JobSchedules>().CreateAsync("Busy", RecomputeDashboardTotalsJob.Kind, cron, CoreHost.Admin));

        Assert.Equal("Cron", ex.Field);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("at most once every minute", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await host.Get<JobSchedules>().ListAsync());
    }

    [Fact]
    public async Task Create_ConfiguredMinimumInterval_RefusesWhatRunsMoreOften()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Jobs:MinScheduleIntervalSeconds"] = "300" });
        var schedules = host.Get<JobSchedules>();

        var ex = await Assert.ThrowsAsync<ScheduleValidationException>(() =>
            schedules.CreateAsync("Every minute", RecomputeDashboardTotalsJob.Kind, "* * * * *", CoreHost.Admin));
        var rule = await Assert.ThrowsAsync<ScheduleValidationException>(() =>
            schedules.SetForPayloadAsync("Rule", RecomputeDashboardTotalsJob.Kind, Payload, "*/2 * * * *", CoreHost.Admin));

        Assert.Contains("at most once every 5 minutes", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Cron", rule.Field);
        Assert.Equal("Every five", (await schedules.CreateAsync("Every five", RecomputeDashboardTotalsJob.Kind, "*/5 * * * *", CoreHost.Admin)).Name);
    }

    [Theory]
    [InlineData(DatasetImportJob.Kind)]
    [InlineData(RefreshSegmentJob.Kind)]
    public async Task Create_KindPeopleMayNotStart_IsRefused(string kind)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var ex = await Assert.ThrowsAsync<ScheduleValidationException>(() =>
            host.Get<JobSchedules>().CreateAsync("Internal", kind, "0 2 * * *", CoreHost.Admin));

        Assert.Equal("Kind", ex.Field);
        Assert.Contains("is started by the portal itself", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await host.Get<JobSchedules>().ListAsync());
    }

    [Fact]
    public async Task ClaimDue_EverySecondScheduleStoredEarlier_RunsAtMostOnceAMinute()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var start = new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc); // far ahead of the running pump's clock
        await using (var db = await host.DbAsync())
        {
            db.JobSchedules.Add(new JobSchedule { Name = "Legacy", Kind = RecomputeDashboardTotalsJob.Kind, Cron = "* * * * * *", CreatedBy = "tests", NextRunAt = start });
            await db.SaveChangesAsync();
        }

        var schedules = host.Get<JobSchedules>();
        var claimed = new List<DateTime>();
        for (var second = 0; second <= 125; second++)
        {
            if ((await schedules.ClaimDueAsync(start.AddSeconds(second))).Count > 0)
            {
                claimed.Add(start.AddSeconds(second));
            }
        }

        Assert.Equal([start, start.AddMinutes(1), start.AddMinutes(2)], claimed);
    }
}
