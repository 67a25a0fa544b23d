using Portal.Core.Audiences;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Rules.RuleSamples;

namespace Portal.Tests.Core.Segments;

/// <summary>
/// The impact preview against what really happens: the preview's counts for a draft, then the draft saved and the
/// segments refreshed, and the members before and after compared. On the demo data (500 users) in a real SQLite file.
/// </summary>
public sealed class SegmentImpactTests : DatabaseTest
{
    private Task<CoreHost> HostAsync() => RuleHostExtensions.StartWithDemoDataAsync(Folder);

    /// <summary>An audience fed by the segment, posted to AdtechB (it has an id there) and not yet to AdtechA.</summary>
    private static Task WriteAudienceAsync(CoreHost host, string name, string segment) =>
        host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath(name), $"""
            {name}:
              description: Fed by a segment.
              source:
                segment: '{segment.Replace("'", "''", StringComparison.Ordinal)}'
              adtechB:
                name: Posted
                id: '4242'
                expiration_time: 1000
              adtechA:
                name: Not posted
                audience_type: TYPE_X
            """, null);

    /// <summary>
    /// The preview of <paramref name="draft"/> for rule <paramref name="ruleId"/>; then the draft saved and the segment of
    /// <paramref name="affectedRuleId"/> refreshed (with the stale segments it reads), and the users who joined, left and
    /// stayed in it.
    /// </summary>
    private static async Task<(ImpactPreview Preview, (int Added, int Removed, int Unchanged, int After) Diff, IReadOnlyList<long> Refreshed)> PreviewThenSaveAsync(
        CoreHost host, long ruleId, RuleDraft draft, long affectedRuleId)
    {
        var preview = await host.Get<SegmentImpact>().PreviewAsync(ruleId, draft);
        var segmentId = (await host.SegmentOfAsync(affectedRuleId)).Id;
        var before = (await host.MembersAsync(segmentId)).ToHashSet();
        await host.SaveRuleAsync(draft, ruleId);
        var report = await host.RefreshRuleAsync(affectedRuleId);
        Assert.All(report.Refreshed, r => Assert.True(r.Succeeded, r.Error));
        var after = (await host.MembersAsync(segmentId)).ToHashSet();
        var diff = (after.Count(u => !before.Contains(u)), before.Count(u => !after.Contains(u)), after.Count(before.Contains), after.Count);
        return (preview, diff, report.Refreshed.Select(r => r.RuleId).ToList());
    }

    private static void AssertMatches(ImpactPreview preview, string audience, (int Added, int Removed, int Unchanged, int After) diff)
    {
        Assert.True(preview.Ok, string.Join("; ", preview.Issues));
        Assert.NotEmpty(preview.Rows);
        var posted = Assert.Single(preview.Rows, r => r.Audience == audience && r.Adtech == AdtechKeys.AdtechB);
        Assert.Equal((diff.Added, diff.Removed, diff.Unchanged, (string?)null), (posted.Added, posted.Removed, posted.Unchanged, posted.Note));
        var notPosted = Assert.Single(preview.Rows, r => r.Audience == audience && r.Adtech == AdtechKeys.AdtechA);
        Assert.Equal((diff.After, 0L, 0L), (notPosted.Added, notPosted.Removed, notPosted.Unchanged));
        Assert.Equal("Not exported to AdtechA yet: every member is an add.", notPosted.Note);
    }

    [Fact]
    public async Task Preview_DirectAudience_CountsWhatTheRefreshThatFollowsChanges()
    {
        await using var host = await HostAsync();
        var rule = await host.SaveRuleAsync(Tier("Tier one", "1"));
        await host.RefreshRuleAsync(rule.Id);
        var segment = await host.SegmentOfAsync(rule.Id);
        await WriteAudienceAsync(host, "tier_one", segment.Name);
        // Tier 1 or 2, but no gmail address: some join (tier 2), some leave (tier 1 on gmail), most stay.
        var draft = Tier("Tier one", "1") with
        {
            Root = And("root", Attr("c1", RuleFields.CityTier, ConditionOperator.Lte, "2"), Attr("c2", RuleFields.EmailDomain, ConditionOperator.Ne, "gmail.com")),
        };

        var (preview, diff, _) = await PreviewThenSaveAsync(host, rule.Id, draft, rule.Id);

        Assert.True(diff is { Added: > 0, Removed: > 0, Unchanged: > 0 }, $"the draft should add, remove and keep members: {diff}");
        AssertMatches(preview, "tier_one", diff);
        Assert.All(preview.Rows, r => Assert.Equal(segment.Name, r.Segment));
    }

    [Theory]
    [InlineData(SetOperation.Union)]
    [InlineData(SetOperation.Intersection)]
    [InlineData(SetOperation.Difference)]
    public async Task Preview_AudienceFedThroughCombinedSegment_CountsWhatTheRefreshesThatFollowChange(SetOperation operation)
    {
        await using var host = await HostAsync();
        var tier = await host.SaveRuleAsync(Tier("Tier one", "1"));
        var gmail = await host.SaveRuleAsync(Draft("Gmail", And("root", Attr("c1", RuleFields.EmailDomain, ConditionOperator.Eq, "gmail.com"))) with { Schedule = null });
        var combined = await host.SaveRuleAsync(Draft("Combined", And("root")) with { Schedule = null, DependsOn = [tier.Id, gmail.Id], Operation = operation });
        await host.RefreshRuleAsync(combined.Id);
        var combinedSegment = await host.SegmentOfAsync(combined.Id);
        await WriteAudienceAsync(host, "combined", combinedSegment.Name);
        var draft = Tier("Tier one", "2");

        var (preview, diff, refreshed) = await PreviewThenSaveAsync(host, tier.Id, draft, combined.Id);

        // Refreshing the combined segment refreshed the stale one it reads first.
        Assert.Equal([tier.Id, combined.Id], refreshed);
        Assert.True(diff.Added + diff.Removed > 0, $"the draft should change the combined segment: {diff}");
        AssertMatches(preview, "combined", diff);
        Assert.All(preview.Rows, r => Assert.Equal("Combined", r.Segment));
    }

    [Fact]
    public async Task Preview_AudienceTwoCombinationsAway_SubstitutesTheDraftThroughTheChain()
    {
        await using var host = await HostAsync();
        var tier = await host.SaveRuleAsync(Tier("Tier one", "1"));
        var notGmail = await host.SaveRuleAsync(Draft("Tier one, not gmail", And("root", Attr("c1", RuleFields.EmailDomain, ConditionOperator.Ne, "gmail.com")))
            with { Schedule = null, DependsOn = [tier.Id], Operation = SetOperation.Intersection });
        var notGmailSegment = await host.SegmentOfAsync(notGmail.Id);
        // Reads the middle segment through a membership condition, not depends_on.
        var outer = await host.SaveRuleAsync(Draft("Outer", And("root",
                new SegmentCondition("c1", false, notGmailSegment.Id, ConditionOperator.In),
                Spend("c2", ConditionOperator.Gt, "100", 365))) with { Schedule = null });
        await host.RefreshRuleAsync(outer.Id);
        var outerSegment = await host.SegmentOfAsync(outer.Id);
        await WriteAudienceAsync(host, "outer", outerSegment.Name);
        var draft = Tier("Tier one", "2");

        var (preview, diff, refreshed) = await PreviewThenSaveAsync(host, tier.Id, draft, outer.Id);

        Assert.Equal([tier.Id, notGmail.Id, outer.Id], refreshed);
        Assert.True(diff is { Added: > 0, Removed: > 0 }, $"the draft should change the outer segment: {diff}");
        AssertMatches(preview, "outer", diff);
    }

    [Fact]
    public async Task Preview_RuleFeedingNoAudience_HasNoRows()
    {
        await using var host = await HostAsync();
        var rule = await host.SaveRuleAsync(Tier("Tier one", "1"));
        await host.RefreshRuleAsync(rule.Id);

        var preview = await host.Get<SegmentImpact>().PreviewAsync(rule.Id, Tier("Tier one", "2"));

        Assert.True(preview.Ok);
        Assert.Empty(preview.Rows);
    }

    [Fact]
    public async Task Preview_UnfinishedDraft_SaysWhatIsMissingInsteadOfFigures()
    {
        await using var host = await HostAsync();
        var rule = await host.SaveRuleAsync(Tier("Tier one", "1"));
        await WriteAudienceAsync(host, "tier_one", "Tier one");

        var preview = await host.Get<SegmentImpact>().PreviewAsync(rule.Id, Tier("Tier one", "1") with
        {
            Root = And("root", Attr("c1", RuleFields.CityTier, ConditionOperator.Between, "1")),
        });

        Assert.False(preview.Ok);
        Assert.Empty(preview.Rows);
        Assert.Equal(("c1", "values"), (preview.Issues[0].NodeId, preview.Issues[0].Field));
    }

    [Fact]
    public void CountStatement_DraftAndCombinedSegment_PassesEveryValueAsAParameter()
    {
        var draft = Tier("Tier one", "1") with { Root = And("root", Attr("c1", RuleFields.City, ConditionOperator.Eq, "O'Hare; DROP TABLE users")) };
        var combined = Draft("Combined", And("root", Attr("c1", RuleFields.City, ConditionOperator.Eq, "Pune"))) with { DependsOn = [1], Operation = SetOperation.Union };
        var graph = new RuleGraph(new Dictionary<long, HashSet<long>> { [1] = [], [2] = [1] }, new Dictionary<long, long> { [1] = 11, [2] = 12 });

        var query = SegmentImpact.CountStatement(graph, new Dictionary<long, RuleDraft> { [1] = draft, [2] = combined }, 1, 2,
            Portal.Core.Data.DatabaseProvider.Sqlite, new DateTime(2026, 10, 15, 0, 0, 0, DateTimeKind.Utc));

        Assert.DoesNotContain("O'Hare", query.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("Pune", query.Sql, StringComparison.Ordinal);
        Assert.Contains("impact_11 AS (", query.Sql, StringComparison.Ordinal);
        Assert.Contains("SELECT m.user_id FROM impact_11 m", query.Sql, StringComparison.Ordinal);
        Assert.Equal(query.Parameters.Count, query.Parameters.Select(p => p.Name).Distinct().Count());
        Assert.Contains(query.Parameters, p => Equals(p.Value, "O'Hare; DROP TABLE users"));
        Assert.Contains(("@impact_segment", (object?)12L), query.Parameters);
    }
}
