using Bunit;
using MudBlazor;
using Portal.Core.Accounts;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Tests.Core.Segments;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Segments;

/// <summary>The segment page: per audience it feeds × adtech, the last sync's outcome, "+N / −M", time and match rate.</summary>
public sealed class SegmentDetailPageTests : DatabaseTest
{
    [Fact]
    public async Task Exports_FedAudienceSyncedToTwoAdtechs_ShowsEachLastSyncWithItsChangeAndMatchRate()
    {
        await using var host = await CoreHost.StartAsync(Folder, seedDemoData: true);
        var segment = await SegmentAudiencesTests.SegmentAsync(host, "Tier one", 40);
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("segment_tier_one"),
            "segment_tier_one:\n  description: d\n  source:\n    segment: 'Tier one'\n  adtechA:\n    name: A\n    audience_type: TYPE_X\n    id: 'A1'\n  adtechB:\n    name: B\n    id: 'B1'\n", null);
        await using (var db = await host.DbAsync())
        {
            db.ExportRuns.AddRange(
                Run(1, AdtechKeys.AdtechB, null, 0, 0, ExportRunStatus.Succeeded),
                Run(2, AdtechKeys.AdtechB, "Synced", 1_204, 87, ExportRunStatus.Succeeded, members: 4_000, matched: 3_000),
                Run(3, AdtechKeys.AdtechA, "Failed", 12, 0, ExportRunStatus.Failed));
            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        ctx.Render<MudPopoverProvider>();
        var page = ctx.Render<Portal.Components.Pages.Segments.SegmentDetailPage>(p => p.Add(x => x.Id, segment.Id));

        await page.WaitForAssertionAsync(() =>
        {
            Assert.Equal("Synced", page.Find("[aria-label='segment_tier_one AdtechB last sync outcome']").TextContent.Trim());
            Assert.Equal($"+{1_204:N0} / −87", page.Find("[aria-label='segment_tier_one AdtechB last sync added / removed']").TextContent);
            Assert.Equal("75 % matched", page.Find("[aria-label='segment_tier_one AdtechB last sync match rate']").TextContent);
            Assert.Contains("2026-11-01 00:03 UTC", page.Find("[aria-label='segment_tier_one AdtechB last sync']").TextContent, StringComparison.Ordinal);
            Assert.Equal("Failed", page.Find("[aria-label='segment_tier_one AdtechA last sync outcome']").TextContent.Trim());
            Assert.Equal("+12 / −0", page.Find("[aria-label='segment_tier_one AdtechA last sync added / removed']").TextContent);
            Assert.Empty(page.FindAll("[aria-label='segment_tier_one AdtechA last sync match rate']"));
        });
    }

    internal static ExportRun Run(long id, string adtech, string? outcome, long added, long removed, ExportRunStatus status,
        long? members = null, long? matched = null, string audience = "segment_tier_one") => new()
    {
        Id = id,
        Audience = audience,
        AdtechKey = adtech,
        ExportKey = $"k{id}",
        StartedUtc = DemoDates.End.AddMinutes(id),
        FinishedUtc = DemoDates.End.AddMinutes(id + 1),
        Status = status,
        SyncOutcome = outcome,
        Added = outcome is null ? null : added,
        Removed = outcome is null ? null : removed,
        MembersSent = added + removed,
        Members = members,
        MatchedLow = matched,
        MatchedHigh = matched,
        AdtechAudienceId = adtech == AdtechKeys.AdtechA ? "A1" : "B1",
    };
}
