using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Customers;

namespace Portal.Core.Data;

public sealed class CreditCardTransactionConfiguration(bool sqlite) : IEntityTypeConfiguration<CreditCardTransaction>
{
    public void Configure(EntityTypeBuilder<CreditCardTransaction> b)
    {
        b.ToTable("credit_card_transactions");
        b.HasKey(x => x.TransactionId);
        b.Property(x => x.TransactionId).HasColumnName("transaction_id").ValueGeneratedNever();
        b.Property(x => x.UserId).HasColumnName("user_id");
        b.Property(x => x.Amount).HasColumnName("amount").HasMoney(sqlite);
        b.Property(x => x.Merchant).HasColumnName("merchant").HasMaxLength(100);
        b.Property(x => x.Category).HasColumnName("category").HasMaxLength(50);
        b.Property(x => x.TransactionDate).HasColumnName("transaction_date");
        b.HasOne<Customer>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        // Segment rules aggregate a user's spend over a date range and filter by category.
        b.HasIndex(x => new { x.UserId, x.TransactionDate }).HasDatabaseName("ix_cc_user_date");
        b.HasIndex(x => x.TransactionDate).HasDatabaseName("ix_cc_date");
        b.HasIndex(x => new { x.Category, x.TransactionDate }).HasDatabaseName("ix_cc_category_date");
    }
}
