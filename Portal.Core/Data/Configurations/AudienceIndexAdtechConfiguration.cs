using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Audiences;

namespace Portal.Core.Data;

public sealed class AudienceIndexAdtechConfiguration : IEntityTypeConfiguration<AudienceIndexAdtech>
{
    public void Configure(EntityTypeBuilder<AudienceIndexAdtech> b)
    {
        b.ToTable("audience_index_adtechs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.AudienceId).HasColumnName("audience_id");
        b.HasIndex(x => x.AudienceId).HasDatabaseName("ix_audience_index_adtechs_audience");
        // The Connectors matrix filters and counts by adtech and status.
        b.HasIndex(x => new { x.Key, x.Status }).HasDatabaseName("ix_audience_index_adtechs_key_status");
        b.Property(x => x.Position).HasColumnName("position");
        b.Property(x => x.Key).HasColumnName("adtech_key").HasMaxLength(50);
        b.Property(x => x.Name).HasColumnName("name").HasMaxLength(1000);
        b.Property(x => x.ExternalId).HasColumnName("external_id").HasMaxLength(500);
        b.Property(x => x.Status).HasColumnName("status");
        b.Property(x => x.ResponseDate).HasColumnName("response_date").HasMaxLength(64);
        b.Property(x => x.ResponseStatus).HasColumnName("response_status");
        b.Property(x => x.ResponseMessage).HasColumnName("response_message");
    }
}
