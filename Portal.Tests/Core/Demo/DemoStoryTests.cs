using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audiences;
using Portal.Core.Demo;
using Portal.Core.Jobs;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Demo;

public sealed class DemoStoryTests : DatabaseTest
{
    /// <summary>Half a day after the demo data ends: the rules' "last N days" windows reach back into it.</summary>
    private static readonly DateTimeOffset Now = new(DemoDates.End.AddHours(12));

    private Task<CoreHost> StartAsync(bool seedDemoData = true) => CoreHost.StartAsync(Folder,
        s => s.AddSingleton<TimeProvider>(new FixedClock(Now)),
        new Dictionary<string, string?> { ["Database:DemoStory"] = "true" }, seedDemoData: seedDemoData);

    [Fact]
    public async Task Start_FreshDemo_SavesARuleOfEveryKindAndRefreshesEverySegment()
    {
        await using var host = await StartAsync();
        await using var db = await host.DbAsync();
        var rules = await db.Rules.AsNoTracking().ToListAsync();
        Assert.Equal(7, rules.Count);
        var trees = rules.Select(r => ConditionTree.All(ConditionJson.Read(r.Conditions)).ToList()).ToList();
        Assert.Contains(trees, t => t.OfType<AttributeCondition>().Any());
        Assert.Contains(trees, t => t.OfType<AggregateCondition>().Any(a => a.Source == TransactionSource.CreditCard && a.Function == AggregateFunction.Sum && a.Window.LastDays is > 0));
        Assert.Contains(trees, t => t.OfType<AggregateCondition>().Any(a => a.Source == TransactionSource.Upi));
        Assert.Contains(trees, t => t.OfType<SegmentCondition>().Any());
        Assert.Equal([SetOperation.Intersection, SetOperation.Union, SetOperation.Difference],
            rules.Where(r => r.Operation is not null).OrderBy(r => r.Id).Select(r => r.Operation!.Value).ToList());

        var segments = await db.Segments.AsNoTracking().ToListAsync();
        Assert.All(segments, s => Assert.Equal(SegmentStatus.Fresh, s.Status));
        Assert.All(segments.Where(s => s.Name is DemoRules.Tier1 or DemoRules.TravelSpenders or DemoRules.UpiRegulars or DemoRules.Tier1TravelSpenders),
            s => Assert.True(s.RowCount > 0, $"{s.Name} has no members"));
        Assert.Equal(7, await db.SegmentRefreshes.CountAsync(r => r.Succeeded));
    }

    [Fact]
    public async Task Start_FreshDemo_CombinedSegmentsHoldTheSetOperationsOfTheirInputs()
    {
        await using var host = await StartAsync();
        async Task<HashSet<long>> Members(string name)
        {
            await using var db = await host.DbAsync();
            var id = await db.Segments.Where(s => s.Name == name).Select(s => s.Id).SingleAsync();
            return [.. await host.MembersAsync(id)];
        }

        var tier1 = await Members(DemoRules.Tier1);
        var travel = await Members(DemoRules.TravelSpenders);
        var upi = await Members(DemoRules.UpiRegulars);
        Assert.Equal(travel.Intersect(tier1).Order(), (await Members(DemoRules.Tier1TravelSpenders)).Order());
        Assert.Equal(travel.Union(upi).Order(), (await Members(DemoRules.Engaged)).Order());
        Assert.Equal(travel.Except(upi).Order(), (await Members(DemoRules.CardOnlyTravellers)).Order());
        Assert.True((await Members(DemoRules.GmailTravelSpenders)).IsSubsetOf(travel));
    }

    [Fact]
    public async Task Start_FreshDemo_ImportsAFileIntoEveryUploadDatasetAndTheSegmentsSeeThem()
    {
        await using var host = await StartAsync();
        await using var db = await host.DbAsync();
        var files = await db.ImportedFiles.AsNoTracking().ToListAsync();
        Assert.All(files, f => Assert.Equal(ImportStatus.Imported, f.Status));
        Assert.Equal(DatasetCatalog.All.Select(d => d.Name).Order(), files.Select(f => f.Dataset).Distinct().Order());
        Assert.Equal(2, files.Where(f => f.Dataset == DatasetCatalog.Conversions).Select(f => f.Partition).Distinct().Count());
        Assert.Equal(500 + DemoUploads.NewCustomers, await db.Customers.CountAsync());
        Assert.True(await db.CampaignRevenues.AnyAsync());
        // The files came before the refreshes: the segments read them and are fresh, not stale behind them.
        Assert.Equal(0, await db.Segments.CountAsync(s => s.Status != SegmentStatus.Fresh));
    }

    [Fact]
    public async Task Start_FreshDemo_WritesAnAudienceFedByASegmentAndQueuesItsExportToBothSandboxAdtechs()
    {
        await using var host = await StartAsync();
        var name = SegmentAudiences.AudienceNameFor(DemoRules.AudienceSegment);
        var text = await host.Get<IBucket>().ReadTextAsync(AudienceCatalog.StatePath(name));
        Assert.NotNull(text);
        var state = host.Get<AudienceEditor>().Parse(name, text.Text).State;
        Assert.NotNull(state);
        Assert.Equal(DemoRules.AudienceSegment, state.SourceSegment);
        Assert.Equal([AdtechKeys.AdtechA, AdtechKeys.AdtechB], state.AdtechKeysPresent.Order().ToList());
        await using var db = await host.DbAsync();
        var export = await db.Jobs.AsNoTracking().SingleAsync(j => j.Kind == CatalogRunJob.Kind);
        Assert.Equal(CatalogRunJob.PayloadFor(name), export.Payload);
        // The HTTP-fed demo audiences are still there beside it.
        Assert.Equal(DemoAudiences.Files.Count + 1, await host.Get<IBucket>().ListAsync(AudienceCatalog.StateFolder).CountAsync());
    }

    [Fact]
    public async Task CreateAsync_RunAgain_KeepsWhatExistsAndRefreshesTheSegmentsOnly()
    {
        await using var host = await StartAsync();
        var again = await host.Get<DemoStory>().CreateAsync(DemoDates.End);
        Assert.Equal(new DemoStoryResult(0, 0, 7, null), again);
        await using var db = await host.DbAsync();
        Assert.Equal(7, await db.Rules.CountAsync());
        Assert.Equal(9, await db.ImportedFiles.CountAsync());
        Assert.Equal(14, await db.SegmentRefreshes.CountAsync(r => r.Succeeded));
    }

    [Fact]
    public async Task Start_WithoutDemoData_NoRulesFilesOrAudiences()
    {
        await using var host = await StartAsync(seedDemoData: false);
        await using var db = await host.DbAsync();
        Assert.False(await db.Rules.AnyAsync());
        Assert.False(await db.ImportedFiles.AnyAsync());
        Assert.Equal(0, await host.Get<IBucket>().ListAsync(AudienceCatalog.StateFolder).CountAsync());
    }

    [Fact]
    public async Task Start_JobsQueuedWhileStarting_RunOnceAndAreNotTakenForInterrupted()
    {
        await using var host = await StartAsync();
        await using var db = await host.DbAsync();
        var recomputes = await db.Jobs.AsNoTracking().Where(j => j.Kind == Portal.Core.Dashboard.RecomputeDashboardTotalsJob.Kind).Select(j => j.Id).ToListAsync();
        Assert.NotEmpty(recomputes);
        foreach (var id in recomputes)
        {
            var job = await host.WaitForJobAsync(id, j => j.Status == JobStatus.Succeeded, "succeeded");
            Assert.Equal(1, job.Attempts);
            Assert.Null(job.Error);
        }
    }
}
