using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Core.Data;

public sealed class SegmentConfiguration : IEntityTypeConfiguration<Segment>
{
    public void Configure(EntityTypeBuilder<Segment> b)
    {
        b.ToTable("segment_catalog");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.RuleId).HasColumnName("rule_id");
        b.HasIndex(x => x.RuleId).IsUnique().HasDatabaseName("ux_segment_catalog_rule_id");
        b.HasOne<Rule>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Name).HasColumnName("segment_name").HasMaxLength(200);
        b.Property(x => x.Description).HasColumnName("description").HasMaxLength(2000);
        b.Property(x => x.TableName).HasColumnName("table_name").HasMaxLength(128);
        b.Property(x => x.RowCount).HasColumnName("row_count");
        b.Property(x => x.SqlQuery).HasColumnName("sql_query");
        b.Property(x => x.LastRefreshedAt).HasColumnName("last_refreshed_at");
        b.Property(x => x.LastDurationMs).HasColumnName("last_duration_ms");
        b.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.LastError).HasColumnName("last_error");
        b.Property(x => x.StaleSince).HasColumnName("stale_since");
    }
}
