namespace Portal.Core.Customers;

/// <summary>A first-party customer: a row of the <c>users</c> table.</summary>
public sealed class Customer
{
    public long UserId { get; set; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public required string Phone { get; set; }
    public required string ZipCode { get; set; }
    public required string City { get; set; }
    /// <summary>1, 2 or 3.</summary>
    public int CityTier { get; set; }
    public DateTime CreatedAt { get; set; }
}
