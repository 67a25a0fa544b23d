namespace Portal.Core.Dashboard;

/// <summary>The totals the dashboard shows, as last computed by the "recompute dashboard totals" job.</summary>
public sealed class DashboardTotals
{
    public int Id { get; set; } = 1;
    public long Users { get; set; }
    public long CreditCardTransactions { get; set; }
    public long UpiTransactions { get; set; }
    public decimal CreditCardSpend { get; set; }
    public decimal UpiSpend { get; set; }
    /// <summary>Per month spend, JSON array of <see cref="MonthlySpend"/>.</summary>
    public string MonthlyJson { get; set; } = "[]";

    /// <summary>Spend by category over all time, as JSON <see cref="CategorySpend"/> rows, largest first.</summary>
    public string CategoriesJson { get; set; } = "[]";
    public DateTime ComputedAt { get; set; }

    public long Transactions => CreditCardTransactions + UpiTransactions;
    public decimal TotalSpend => CreditCardSpend + UpiSpend;
}

public sealed record MonthlySpend(string Month, decimal CreditCard, decimal Upi, long Count);

public sealed record CategorySpend(string Category, decimal Spend, long Count);
