using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Tests.TestSupport;

/// <summary>Rules and segments on a <see cref="CoreHost"/>: save as a marketer would, read segments and members back.</summary>
public static class RuleHostExtensions
{
    /// <summary>Two weeks before the demo data ends: "the last N days" windows see data on both sides.</summary>
    public static readonly DateTimeOffset DemoNow = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A host with the demo data (500 users, 5,000 transactions) whose clock stands at <see cref="DemoNow"/>.</summary>
    public static Task<CoreHost> StartWithDemoDataAsync(TestFolder folder) =>
        CoreHost.StartAsync(folder, s => s.AddSingleton<TimeProvider>(new FixedClock(DemoNow)), seedDemoData: true);

    public static async Task<Rule> SaveRuleAsync(this CoreHost host, RuleDraft draft, long? id = null)
    {
        var result = await host.Get<RuleService>().SaveAsync(id, draft, null, CoreHost.Marketer);
        Assert.True(result.Saved, string.Join("; ", result.Issues));
        return result.Rule!;
    }

    public static async Task<Segment> SegmentOfAsync(this CoreHost host, long ruleId)
    {
        await using var db = await host.DbAsync();
        return await db.Segments.AsNoTracking().SingleAsync(s => s.RuleId == ruleId);
    }

    public static async Task<List<long>> MembersAsync(this CoreHost host, long segmentId)
    {
        await using var db = await host.DbAsync();
        return await db.SegmentMembers.Where(m => m.SegmentId == segmentId).Select(m => m.UserId).OrderBy(u => u).ToListAsync();
    }

    /// <summary>Refreshes a rule's segment now (not as a job) and returns what happened.</summary>
    public static async Task<SegmentRefreshReport> RefreshRuleAsync(this CoreHost host, long ruleId) =>
        await host.Get<SegmentRefresher>().RefreshRuleAsync(ruleId, null, null, CancellationToken.None);
}
