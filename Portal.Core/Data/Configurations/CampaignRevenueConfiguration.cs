using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Uploads;

namespace Portal.Core.Data;

public sealed class CampaignRevenueConfiguration : IEntityTypeConfiguration<CampaignRevenue>
{
    public void Configure(EntityTypeBuilder<CampaignRevenue> b)
    {
        b.ToTable(DatasetCatalog.CampaignRevenuesTable);
        b.HasKey(x => new { x.CampaignId, x.BannerId, x.Quarter });
        b.Property(x => x.CampaignId).HasColumnName("campaign_id").ValueGeneratedNever();
        b.Property(x => x.BannerId).HasColumnName("banner_id").ValueGeneratedNever();
        b.Property(x => x.Quarter).HasColumnName("quarter").HasMaxLength(8);
        b.Property(x => x.Revenue).HasColumnName("revenue");
        b.Property(x => x.Clicks).HasColumnName("clicks");
        // A quarter is replaced as a whole when one of its files is imported.
        b.HasIndex(x => x.Quarter).HasDatabaseName("ix_campaign_revenues_quarter");
    }
}
