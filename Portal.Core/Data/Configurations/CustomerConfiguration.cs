using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Customers;

namespace Portal.Core.Data;

public sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> b)
    {
        b.ToTable("users");
        b.HasKey(x => x.UserId);
        b.Property(x => x.UserId).HasColumnName("user_id").ValueGeneratedNever();
        b.Property(x => x.Name).HasColumnName("name").HasMaxLength(200);
        b.Property(x => x.Email).HasColumnName("email").HasMaxLength(320);
        b.Property(x => x.Phone).HasColumnName("phone").HasMaxLength(32);
        b.Property(x => x.ZipCode).HasColumnName("zip_code").HasMaxLength(16);
        b.Property(x => x.City).HasColumnName("city").HasMaxLength(100);
        b.Property(x => x.CityTier).HasColumnName("city_tier");
        b.Property(x => x.CreatedAt).HasColumnName("created_at");
        b.HasIndex(x => x.Email).HasDatabaseName("ix_users_email");
        b.HasIndex(x => x.CityTier).HasDatabaseName("ix_users_city_tier");
        b.HasIndex(x => x.CreatedAt).HasDatabaseName("ix_users_created_at");
    }
}
