using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Instances;
using Portal.Core.Jobs;

namespace Portal.Core.Data;

public sealed class SharedLockConfiguration : IEntityTypeConfiguration<SharedLock>
{
    public void Configure(EntityTypeBuilder<SharedLock> b)
    {
        b.ToTable("shared_locks");
        b.HasKey(x => x.Name);
        b.Property(x => x.Name).HasColumnName("name").HasMaxLength(100);
        b.Property(x => x.Owner).HasColumnName("owner").HasMaxLength(JobOptions.MaxInstanceIdLength);
        b.Property(x => x.ExpiresAt).HasColumnName("expires_at");
    }
}
