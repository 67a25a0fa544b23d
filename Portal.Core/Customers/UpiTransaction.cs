namespace Portal.Core.Customers;

/// <summary>A row of <c>upi_transactions</c>.</summary>
public sealed class UpiTransaction
{
    public long TransactionId { get; set; }
    public long UserId { get; set; }
    public decimal Amount { get; set; }
    public required string Description { get; set; }
    public required string Category { get; set; }
    public DateTime TransactionDate { get; set; }
}
