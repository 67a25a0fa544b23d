using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Audit;

namespace Portal.Core.Data;

public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_log");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.At).HasColumnName("at");
        b.Property(x => x.Actor).HasColumnName("actor").HasMaxLength(256);
        b.Property(x => x.Action).HasColumnName("action").HasMaxLength(100);
        b.Property(x => x.Target).HasColumnName("target").HasMaxLength(400);
        b.Property(x => x.Details).HasColumnName("details");
        b.HasIndex(x => x.At).HasDatabaseName("ix_audit_log_at");
    }
}
