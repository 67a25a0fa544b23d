using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Adtech;

namespace Portal.Core.Data;

public sealed class AdtechConnectionRecordConfiguration : IEntityTypeConfiguration<AdtechConnectionRecord>
{
    public void Configure(EntityTypeBuilder<AdtechConnectionRecord> b)
    {
        b.ToTable("adtech_connections");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.Key).HasColumnName("adtech_key").HasMaxLength(50);
        b.Property(x => x.BaseUrl).HasColumnName("base_url").HasMaxLength(500);
        b.Property(x => x.AccountId).HasColumnName("account_id").HasMaxLength(200);
        b.Property(x => x.ProtectedToken).HasColumnName("protected_token");
        b.Property(x => x.ProtectedDeveloperToken).HasColumnName("protected_developer_token");
        b.Property(x => x.LoginCustomerId).HasColumnName("login_customer_id").HasMaxLength(20);
        b.Property(x => x.Api).HasColumnName("api").HasMaxLength(20);
        b.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        b.Property(x => x.UpdatedBy).HasColumnName("updated_by").HasMaxLength(256);
        b.HasIndex(x => x.Key).IsUnique().HasDatabaseName("ux_adtech_connections_key");
    }
}
