using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Audiences;

namespace Portal.Core.Data;

public sealed class AudienceIndexRowConfiguration : IEntityTypeConfiguration<AudienceIndexRow>
{
    public void Configure(EntityTypeBuilder<AudienceIndexRow> b)
    {
        b.ToTable("audience_index");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        // 450 characters: SQL Server's limit for a unique index key.
        b.Property(x => x.Path).HasColumnName("path").HasMaxLength(450);
        b.HasIndex(x => x.Path).IsUnique().HasDatabaseName("ux_audience_index_path");
        b.Property(x => x.Name).HasColumnName("name").HasMaxLength(400);
        b.HasIndex(x => x.Name).HasDatabaseName("ix_audience_index_name");
        b.Property(x => x.Description).HasColumnName("description");
        b.Property(x => x.Country).HasColumnName("country").HasMaxLength(16);
        b.Property(x => x.SourceKind).HasColumnName("source_kind");
        b.Property(x => x.Source).HasColumnName("source").HasMaxLength(2000);
        b.Property(x => x.SourceResponseDate).HasColumnName("source_response_date").HasMaxLength(64);
        b.Property(x => x.SourceResponseStatus).HasColumnName("source_response_status");
        b.Property(x => x.SourceResponseMessage).HasColumnName("source_response_message");
        b.Property(x => x.IsValid).HasColumnName("is_valid");
        b.Property(x => x.IssueCount).HasColumnName("issue_count");
        b.Property(x => x.FirstIssue).HasColumnName("first_issue");
        b.Property(x => x.HasMemberData).HasColumnName("has_member_data");
        b.Property(x => x.Members).HasColumnName("members");
        b.Property(x => x.Hash).HasColumnName("hash").HasMaxLength(64);
        b.Property(x => x.Size).HasColumnName("size");
        b.Property(x => x.ModifiedUtc).HasColumnName("modified_utc");
        b.Property(x => x.DataSize).HasColumnName("data_size");
        b.Property(x => x.DataModifiedUtc).HasColumnName("data_modified_utc");
        b.Property(x => x.IndexedUtc).HasColumnName("indexed_utc");
        b.HasMany(x => x.Adtechs).WithOne().HasForeignKey(a => a.AudienceId).OnDelete(DeleteBehavior.Cascade);
    }
}
