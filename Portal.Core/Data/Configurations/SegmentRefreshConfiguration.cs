using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Segments;

namespace Portal.Core.Data;

public sealed class SegmentRefreshConfiguration : IEntityTypeConfiguration<SegmentRefresh>
{
    public void Configure(EntityTypeBuilder<SegmentRefresh> b)
    {
        b.ToTable("segment_refreshes");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.SegmentId).HasColumnName("segment_id");
        b.HasIndex(x => new { x.SegmentId, x.StartedAt }).HasDatabaseName("ix_segment_refreshes_segment_started");
        b.HasOne<Segment>().WithMany().HasForeignKey(x => x.SegmentId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.JobId).HasColumnName("job_id");
        b.Property(x => x.StartedAt).HasColumnName("started_at");
        b.Property(x => x.FinishedAt).HasColumnName("finished_at");
        b.Property(x => x.Succeeded).HasColumnName("succeeded");
        b.Property(x => x.RowCount).HasColumnName("row_count");
        b.Property(x => x.DurationMs).HasColumnName("duration_ms");
        b.Property(x => x.SqlQuery).HasColumnName("sql_query");
        b.Property(x => x.Error).HasColumnName("error");
    }
}
