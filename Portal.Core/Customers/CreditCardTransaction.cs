namespace Portal.Core.Customers;

/// <summary>A row of <c>credit_card_transactions</c>.</summary>
public sealed class CreditCardTransaction
{
    public long TransactionId { get; set; }
    public long UserId { get; set; }
    public decimal Amount { get; set; }
    public required string Merchant { get; set; }
    public required string Category { get; set; }
    public DateTime TransactionDate { get; set; }
}
