using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Audiences;
using Portal.Core.Jobs;
using Portal.Core.Lineage;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Lineage;

/// <summary>The built lineage is shared until its data changes, and rebuilt after any change: real SQLite, a bucket folder.</summary>
public sealed class LineageGraphCacheTests : DatabaseTest
{
    private const string AudienceFile = "from_outside:\n  description: d\n  source: {endpoint: new/}\n  adtechB:\n    name: B\n";

    private async Task<(CoreHost Host, long Segment)> StartWithARuleAsync()
    {
        var host = await CoreHost.StartAsync(Folder);
        var saved = await RuleHost.SaveAsync(host, Tier("Tier one", "1"));
        return (host, saved.Segment);
    }

    private static LineageStatus StatusOf(LineageGraph graph, long segment) => graph.Find(LineageBuilder.SegmentId(segment))!.Status;

    [Fact]
    public async Task GetAsync_NothingChanged_ReturnsTheSameGraphWithoutBuildingItAgain()
    {
        var (host, _) = await StartWithARuleAsync();
        await using var _ = host;
        var cache = host.Get<LineageGraphCache>();

        var first = await cache.GetAsync();
        var second = await cache.GetAsync();

        Assert.Same(first, second);
    }

    [Fact]
    public async Task GetAsync_AfterARuleIsSaved_HasItsRuleAndSegment()
    {
        var (host, _) = await StartWithARuleAsync();
        await using var _ = host;
        var cache = host.Get<LineageGraphCache>();
        await cache.GetAsync();

        var added = await RuleHost.SaveAsync(host, Tier("Tier two", "2"));

        var graph = await cache.GetAsync();
        Assert.True(graph.Contains(LineageBuilder.RuleId(added.Rule.Id)));
        Assert.True(graph.Contains(LineageBuilder.SegmentId(added.Segment)));
    }

    [Fact]
    public async Task GetAsync_AfterASegmentsStatusIsSetWithExecuteUpdate_ShowsTheNewStatus()
    {
        var (host, segment) = await StartWithARuleAsync();
        await using var _ = host;
        var cache = host.Get<LineageGraphCache>();
        Assert.NotEqual(LineageStatus.Failed, StatusOf(await cache.GetAsync(), segment));

        await using (var db = await host.DbAsync())
        {
            await db.Segments.Where(s => s.Id == segment).ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SegmentStatus.Failed));
        }

        Assert.Equal(LineageStatus.Failed, StatusOf(await cache.GetAsync(), segment));
    }

    [Fact]
    public async Task GetAsync_AWriteInATransaction_IsShownOnceCommitted()
    {
        var (host, segment) = await StartWithARuleAsync();
        await using var _ = host;
        var cache = host.Get<LineageGraphCache>();
        await using var db = await host.DbAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        (await db.Segments.SingleAsync(s => s.Id == segment)).Status = SegmentStatus.Failed;
        await db.SaveChangesAsync();

        // Read while the write is not committed: the old status (the write's own count came before its commit).
        Assert.NotEqual(LineageStatus.Failed, StatusOf(await cache.GetAsync(), segment));
        await transaction.CommitAsync();

        Assert.Equal(LineageStatus.Failed, StatusOf(await cache.GetAsync(), segment));
    }

    [Fact]
    public async Task GetAsync_AfterAJobFinishes_ShowsItsKindsNewStatus()
    {
        var (host, _) = await StartWithARuleAsync();
        await using var _ = host;
        var cache = host.Get<LineageGraphCache>();
        Assert.Equal(LineageStatus.NeverRun, (await cache.GetAsync()).Find(LineageBuilder.JobId(RefreshSegmentJob.Kind))!.Status);

        await using (var db = await host.DbAsync())
        {
            db.Jobs.Add(new JobRecord
            {
                Kind = RefreshSegmentJob.Kind, Title = "Refresh", RequestedBy = "tests", Status = JobStatus.Succeeded,
                CreatedAt = DemoDates.End, FinishedAt = DemoDates.End,
            });
            await db.SaveChangesAsync();
        }

        Assert.Equal(LineageStatus.Fresh, (await cache.GetAsync()).Find(LineageBuilder.JobId(RefreshSegmentJob.Kind))!.Status);
    }

    [Fact]
    public async Task GetAsync_AfterAnUpload_ShowsItsDataset()
    {
        var (host, _) = await StartWithARuleAsync();
        await using var _ = host;
        var cache = host.Get<LineageGraphCache>();
        await cache.GetAsync();

        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));

        Assert.Equal(2L, (await cache.GetAsync()).Find(Portal.Core.Uploads.UploadsLineage.DatasetId("users"))?.RowCount);
    }

    [Fact]
    public async Task GetAsync_AfterAnAudienceFileIsWrittenOutsideThePortalAndItsMembersAdded_ShowsItAndItsCount()
    {
        var (host, _) = await StartWithARuleAsync();
        await using var _ = host;
        var cache = host.Get<LineageGraphCache>();
        await cache.GetAsync();
        // Another writer of the same bucket folder (a deploy, a script): not through the portal's bucket object.
        var outside = new LocalBucket(Path.Combine(Folder.Path, "data", "bucket"));

        await outside.WriteTextAsync(AudienceCatalog.StatePath("from_outside"), AudienceFile, null);

        var audience = (await cache.GetAsync()).Find(LineageBuilder.AudienceId("from_outside"));
        Assert.Equal((LineageStatus.NeverRun, (long?)null), (audience?.Status, audience?.RowCount));

        await MemberFile.WriteAsync(outside, "from_outside", [new Member(["a@example.com"], [], []), new Member(["b@example.com"], [], [])]);

        audience = (await cache.GetAsync()).Find(LineageBuilder.AudienceId("from_outside"));
        Assert.Equal((LineageStatus.Fresh, (long?)2), (audience?.Status, audience?.RowCount));
    }

    [Fact]
    public async Task GetAsync_AChangeMadeWhileTheGraphIsBeingBuilt_IsShownByTheNextCall()
    {
        var (host, segment) = await StartWithARuleAsync();
        await using var _ = host;
        var during = new WriteDuringBuild(async () =>
        {
            await using var db = await host.DbAsync();
            await db.Segments.Where(s => s.Id == segment).ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SegmentStatus.Failed));
        });
        // A cache of its own, whose builder alone has the writing contributor (the host's background warm-up builds too).
        var builder = new LineageBuilder(host.Get<IDbContextFactory<PortalDbContext>>(), host.Get<AudienceIndex>(), [during]);
        var cache = new LineageGraphCache(builder, host.Get<LineageDataVersion>());

        var built = await cache.GetAsync(); // segments were read before the write: the old status

        Assert.NotEqual(LineageStatus.Failed, StatusOf(built, segment));
        Assert.Equal(LineageStatus.Failed, StatusOf(await cache.GetAsync(), segment));
    }

    /// <summary>A contributor that makes one write the first time the graph is built (after the builder read the segments).</summary>
    private sealed class WriteDuringBuild(Func<Task> write) : ILineageContributor
    {
        private int _written;

        public async Task ContributeAsync(ICollection<LineageNode> nodes, ICollection<LineageEdge> edges, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _written, 1) == 0)
            {
                await write();
            }
        }
    }
}
