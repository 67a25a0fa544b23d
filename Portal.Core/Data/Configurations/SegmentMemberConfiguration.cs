using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Segments;

namespace Portal.Core.Data;

public sealed class SegmentMemberConfiguration : IEntityTypeConfiguration<SegmentMember>
{
    public void Configure(EntityTypeBuilder<SegmentMember> b)
    {
        b.ToTable(SegmentMember.Table);
        b.HasKey(x => new { x.SegmentId, x.UserId });
        b.Property(x => x.SegmentId).HasColumnName("segment_id");
        b.Property(x => x.UserId).HasColumnName("user_id");
        b.HasIndex(x => x.UserId).HasDatabaseName("ix_segment_members_user_id");
        b.HasOne<Segment>().WithMany().HasForeignKey(x => x.SegmentId).OnDelete(DeleteBehavior.Cascade);
    }
}
