using Portal.Core.Dashboard;
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
}
