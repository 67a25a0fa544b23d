using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>A campaign's aggregate rows, and the banners chosen for a quarter by the banner rule.</summary>
public sealed record CampaignReport(long CampaignId, IReadOnlyList<CampaignRevenue> Rows, string? Quarter, IReadOnlyList<long> Banners);

/// <summary>Reads <c>campaign_revenues</c> for <c>GET /api/campaigns/{id}</c>.</summary>
public sealed class CampaignRevenueQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>
    /// Every row of the campaign (by quarter, then banner), and the banners to show for <paramref name="quarter"/> (the
    /// latest quarter with rows when not given), by the banner rule: with at least 10
    /// banners that have revenue, the top 10 by revenue; with 5 to 9, those by revenue; with 1 to 4, those by revenue,
    /// then the most clicked of the rest up to 5; with none, the 5 most clicked. Ties go to the lower banner id.
    /// </summary>
    public async Task<CampaignReport?> ForCampaignAsync(long campaignId, string? quarter = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.CampaignRevenues.AsNoTracking().Where(r => r.CampaignId == campaignId)
            .OrderBy(r => r.Quarter).ThenBy(r => r.BannerId).ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return null;
        }

        var chosen = quarter ?? rows.Max(r => r.Quarter);
        return new CampaignReport(campaignId, rows, chosen, ChooseBanners(rows.Where(r => r.Quarter == chosen)));
    }

    public static IReadOnlyList<long> ChooseBanners(IEnumerable<CampaignRevenue> quarterRows)
    {
        var rows = quarterRows.ToList();
        var earning = rows.Where(r => r.Revenue > 0).OrderByDescending(r => r.Revenue).ThenBy(r => r.BannerId).Select(r => r.BannerId).ToList();
        if (earning.Count >= 5)
        {
            return earning.Take(10).ToList();
        }

        var byClicks = rows.Where(r => !earning.Contains(r.BannerId)).OrderByDescending(r => r.Clicks).ThenBy(r => r.BannerId).Select(r => r.BannerId);
        return [.. earning, .. byClicks.Take(5 - earning.Count)];
    }
}
