using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Dashboard;
using Portal.Core.Jobs;
using Portal.Core.Segments;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Jobs;

/// <summary>What people may start from outside: only the kinds registered as startable, each with the payload it takes.</summary>
public sealed class JobStartTests : DatabaseTest
{
    [Fact]
    public async Task StartableKinds_AppRegistrations_AreTheTotalsTheCatalogRunTheDropFolderScanAndRetention()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var kinds = host.Get<JobQueue>().StartableKinds.Select(k => k.Kind).Order(StringComparer.Ordinal);

        Assert.Equal([CatalogRunJob.Kind, RecomputeDashboardTotalsJob.Kind, Portal.Core.Maintenance.RetentionJob.Kind, DropFolderScanJob.Kind], kinds);
    }

    [Theory]
    [InlineData(DatasetImportJob.Kind, "is started by the portal itself")]
    [InlineData(RefreshSegmentJob.Kind, "is started by the portal itself")]
    [InlineData("nope", "Unknown job kind 'nope'")]
    [InlineData("", "Give the job's kind")]
    public async Task Start_KindPeopleMayNotStart_IsRefusedNamingTheKindAndQueuesNothing(string kind, string expected)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var ex = await Assert.ThrowsAsync<JobStartException>(() => host.Get<JobQueue>().StartAsync(kind, CoreHost.Admin,
            """{"dataset":"users","file_name":"a.csv","path":"state/demo.yml"}"""));

        Assert.Equal("kind", ex.Field);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains(RecomputeDashboardTotalsJob.Kind, ex.Message, StringComparison.Ordinal);
        await using var db = await host.DbAsync();
        Assert.Equal(0, await db.Jobs.CountAsync());
    }

    [Theory]
    [InlineData(RecomputeDashboardTotalsJob.Kind, """{"x":1}""", "payload", "takes no payload")]
    [InlineData(CatalogRunJob.Kind, """{"path":"state/demo.yml"}""", "payload.path", "has no field 'path'; it takes audience, adtech")]
    [InlineData(CatalogRunJob.Kind, """{"audience":"../state/demo"}""", "payload.audience", "is not an audience name")]
    [InlineData(CatalogRunJob.Kind, """{"adtech":"evil"}""", "payload.adtech", "Unknown adtech")]
    [InlineData(CatalogRunJob.Kind, """{"audience":7}""", "payload.audience", "has the wrong type")]
    [InlineData(CatalogRunJob.Kind, """["demo"]""", "payload", "must be a JSON object")]
    [InlineData(CatalogRunJob.Kind, """{"audience":""", "payload", "is not JSON")]
    public async Task Start_PayloadTheKindDoesNotTake_IsRefusedNamingTheField(string kind, string payload, string field, string expected)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var ex = await Assert.ThrowsAsync<JobStartException>(() => host.Get<JobQueue>().StartAsync(kind, CoreHost.Marketer, payload));

        Assert.Equal(field, ex.Field);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CatalogRunForOneAudience_IsQueuedWithThatPayload()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var job = await host.Get<JobQueue>().StartAsync(CatalogRunJob.Kind, CoreHost.Marketer, """{"audience":"demo_audience","adtech":"adtechB"}""", " Export ");

        Assert.Equal((CatalogRunJob.Kind, """{"audience":"demo_audience","adtech":"adtechB"}""", "Export", "marketer@tests.local"),
            (job.Kind, job.Payload, job.Title, job.RequestedBy));
    }

    [Fact]
    public async Task Start_TitleLongerThanTheColumn_IsRefused()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var ex = await Assert.ThrowsAsync<JobStartException>(() =>
            host.Get<JobQueue>().StartAsync(RecomputeDashboardTotalsJob.Kind, CoreHost.Marketer, title: new string('t', 201)));

        Assert.Equal(("title", "The title is 201 characters long; at most 200."), (ex.Field, ex.Message));
    }

    [Fact]
    public async Task Start_AsViewer_IsRefusedBeforeTheKindIsLookedAt()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => host.Get<JobQueue>().StartAsync(DatasetImportJob.Kind, CoreHost.Viewer));
    }
}
