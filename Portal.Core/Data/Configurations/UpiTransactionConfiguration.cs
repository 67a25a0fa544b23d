using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Customers;

namespace Portal.Core.Data;

public sealed class UpiTransactionConfiguration(bool sqlite) : IEntityTypeConfiguration<UpiTransaction>
{
    public void Configure(EntityTypeBuilder<UpiTransaction> b)
    {
        b.ToTable("upi_transactions");
        b.HasKey(x => x.TransactionId);
        b.Property(x => x.TransactionId).HasColumnName("transaction_id").ValueGeneratedNever();
        b.Property(x => x.UserId).HasColumnName("user_id");
        b.Property(x => x.Amount).HasColumnName("amount").HasMoney(sqlite);
        b.Property(x => x.Description).HasColumnName("description").HasMaxLength(200);
        b.Property(x => x.Category).HasColumnName("category").HasMaxLength(50);
        b.Property(x => x.TransactionDate).HasColumnName("transaction_date");
        b.HasOne<Customer>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.UserId, x.TransactionDate }).HasDatabaseName("ix_upi_user_date");
        b.HasIndex(x => x.TransactionDate).HasDatabaseName("ix_upi_date");
        b.HasIndex(x => new { x.Category, x.TransactionDate }).HasDatabaseName("ix_upi_category_date");
    }
}
