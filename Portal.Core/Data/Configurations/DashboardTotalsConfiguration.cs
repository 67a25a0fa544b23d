using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Dashboard;

namespace Portal.Core.Data;

public sealed class DashboardTotalsConfiguration(bool sqlite) : IEntityTypeConfiguration<DashboardTotals>
{
    public void Configure(EntityTypeBuilder<DashboardTotals> b)
    {
        b.ToTable("dashboard_totals");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        b.Property(x => x.Users).HasColumnName("users");
        b.Property(x => x.CreditCardTransactions).HasColumnName("credit_card_transactions");
        b.Property(x => x.UpiTransactions).HasColumnName("upi_transactions");
        b.Property(x => x.CreditCardSpend).HasColumnName("credit_card_spend").HasMoney(sqlite);
        b.Property(x => x.UpiSpend).HasColumnName("upi_spend").HasMoney(sqlite);
        b.Property(x => x.MonthlyJson).HasColumnName("monthly_json");
        b.Property(x => x.CategoriesJson).HasColumnName("categories_json").HasDefaultValue("[]");
        b.Property(x => x.ComputedAt).HasColumnName("computed_at");
        b.Ignore(x => x.Transactions);
        b.Ignore(x => x.TotalSpend);
    }
}
