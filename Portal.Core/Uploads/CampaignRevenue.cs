namespace Portal.Core.Uploads;

/// <summary>
/// A row of <c>campaign_revenues</c>, the design's <c>revenues</c> table: per campaign, banner and quarter, the revenue of
/// the conversions of the banner's clicks and the number of those clicks. Recomputed for a quarter from its stored files
/// whenever one of its impressions, clicks or conversions files is imported, so it does not depend on their order.
/// </summary>
public sealed class CampaignRevenue
{
    public long CampaignId { get; set; }
    public long BannerId { get; set; }

    /// <summary>The partition, like <c>2024-Q1</c>.</summary>
    public required string Quarter { get; set; }

    public double Revenue { get; set; }
    public long Clicks { get; set; }
}
