using Portal.Core.Customers;

using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Customers;

public sealed class DemoDataGeneratorTests
{
    [Fact]
    public void Customers_SameSeed_AreIdentical()
    {
        var a = DemoDates.Generator(7).Customers(200).Select(c => (c.Name, c.Email, c.Phone, c.ZipCode, c.City, c.CityTier, c.CreatedAt)).ToList();
        var b = DemoDates.Generator(7).Customers(200).Select(c => (c.Name, c.Email, c.Phone, c.ZipCode, c.City, c.CityTier, c.CreatedAt)).ToList();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Customers_OtherSeed_Differ()
    {
        var a = DemoDates.Generator(7).Customers(50).Select(c => c.Name).ToList();
        var b = DemoDates.Generator(8).Customers(50).Select(c => c.Name).ToList();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Customers_Generated_HaveUniqueEmailsAndPlausibleFields()
    {
        var customers = DemoDates.Generator().Customers(5000).ToList();
        Assert.Equal(5000, customers.Select(c => c.Email).Distinct().Count());
        Assert.All(customers, c =>
        {
            Assert.InRange(c.CityTier, 1, 3);
            Assert.Matches("^[a-z0-9.]+@[a-z.]+$", c.Email);
            Assert.Matches(@"^\+91 [6-9]\d{9}$", c.Phone);
            Assert.Matches(@"^\d{6}$", c.ZipCode);
            Assert.True(c.CreatedAt < DemoDates.End);
        });
        Assert.Equal([1, 2, 3], customers.Select(c => c.CityTier).Distinct().Order().ToArray());
    }

    [Fact]
    public void Transactions_Generated_FallInTheTwoYearWindowAfterTheCustomerJoined()
    {
        var generator = DemoDates.Generator();
        var transactions = generator.CreditCardTransactions(20_000, 1000).ToList();
        var start = DemoDates.End.AddYears(-2);
        Assert.All(transactions, t =>
        {
            Assert.InRange(t.UserId, 1, 1000);
            Assert.InRange(t.TransactionDate, start, DemoDates.End);
            Assert.True(t.TransactionDate >= generator.CreatedAt(t.UserId), "no spending before joining");
            Assert.True(t.Amount >= 1m);
            Assert.Contains(t.Category, DemoDataGenerator.CategoryNames);
        });
        Assert.Equal(DemoDataGenerator.CategoryNames.Count, transactions.Select(t => t.Category).Distinct().Count());
        Assert.Equal(transactions.Count, transactions.Select(t => t.TransactionId).Distinct().Count());
    }

    [Fact]
    public void Split_Transactions_ThreeFifthsCard()
    {
        Assert.Equal((120_000L, 80_000L), DemoDataGenerator.Split(200_000));
        Assert.Equal((0L, 1L), DemoDataGenerator.Split(1));
    }
}
