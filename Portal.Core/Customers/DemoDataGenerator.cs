using Bogus;

namespace Portal.Core.Customers;

/// <summary>
/// Deterministic demo data for the seed-001 tables: the same seed and sizes give the same rows, byte for byte.
/// Names come from Bogus' Indian-English locale (the seed's UPI payments are Indian); everything else is drawn from a
/// seeded <see cref="Random"/> over fixed pools, so that ten million rows generate in seconds.
/// </summary>
public sealed class DemoDataGenerator
{
    public const int DefaultSeed = 20_260_001;

    private static readonly (string City, int Tier, string Pin)[] Cities =
    [
        ("Mumbai", 1, "400"), ("Delhi", 1, "110"), ("Bengaluru", 1, "560"), ("Hyderabad", 1, "500"), ("Chennai", 1, "600"),
        ("Kolkata", 1, "700"), ("Pune", 1, "411"), ("Ahmedabad", 1, "380"),
        ("Jaipur", 2, "302"), ("Lucknow", 2, "226"), ("Kochi", 2, "682"), ("Indore", 2, "452"), ("Nagpur", 2, "440"),
        ("Coimbatore", 2, "641"), ("Chandigarh", 2, "160"), ("Bhopal", 2, "462"), ("Visakhapatnam", 2, "530"), ("Surat", 2, "395"),
        ("Mysuru", 3, "570"), ("Udaipur", 3, "313"), ("Dehradun", 3, "248"), ("Guwahati", 3, "781"), ("Ranchi", 3, "834"),
        ("Jammu", 3, "180"), ("Raipur", 3, "492"), ("Madurai", 3, "625"), ("Nashik", 3, "422"), ("Varanasi", 3, "221"),
    ];

    /// <summary>Category, typical amount in INR, card merchants, UPI descriptions.</summary>
    private static readonly (string Category, double Typical, string[] Merchants, string[] UpiDescriptions)[] Categories =
    [
        ("Travel", 6000, ["MakeMyTrip", "IndiGo", "Air India", "Uber", "Ola", "IRCTC"], ["Cab fare", "Train ticket", "Bus ticket", "Hotel advance"]),
        ("Groceries", 1500, ["BigBasket", "DMart", "Blinkit", "Reliance Fresh", "Zepto"], ["Kirana store", "Vegetable vendor", "Milk subscription", "Grocery run"]),
        ("Dining", 650, ["Swiggy", "Zomato", "Starbucks", "Domino's", "Haldiram's"], ["Dinner split", "Chai stall", "Lunch with team", "Bakery"]),
        ("Electronics", 12000, ["Croma", "Reliance Digital", "Amazon", "Flipkart", "Vijay Sales"], ["Phone repair", "Headphones", "Charger"]),
        ("Fashion", 2500, ["Myntra", "Ajio", "Zara", "H&M", "Westside"], ["Tailor", "Shoe store", "Saree shop"]),
        ("Entertainment", 550, ["BookMyShow", "Netflix", "Spotify", "PVR INOX", "Hotstar"], ["Movie tickets", "Concert split", "Game top-up"]),
        ("Fuel", 2000, ["Indian Oil", "HP Petrol", "Bharat Petroleum", "Shell"], ["Petrol pump", "CNG refill"]),
        ("Health", 900, ["Apollo Pharmacy", "Tata 1mg", "Practo", "MedPlus"], ["Doctor fee", "Pharmacy", "Lab test"]),
        ("Utilities", 1200, ["Airtel", "Jio", "Tata Power", "Adani Electricity"], ["Electricity bill", "Mobile recharge", "Broadband bill", "Gas cylinder"]),
        ("Education", 3000, ["Udemy", "Coursera", "BYJU'S", "Unacademy"], ["School fee", "Tuition", "Books"]),
    ];

    private static readonly string[] EmailDomains = ["gmail.com", "yahoo.co.in", "outlook.com", "rediffmail.com", "hotmail.com", "icloud.com"];

    private readonly int _seed;
    private readonly string[] _firstNames;
    private readonly string[] _lastNames;

    /// <param name="end">Transactions span the two years before this instant (see <see cref="EndFor"/>).</param>
    /// <param name="seed">The same seed and end give the same rows.</param>
    public DemoDataGenerator(DateTime end, int seed = DefaultSeed)
    {
        _seed = seed;
        End = end.Kind == DateTimeKind.Local ? end.ToUniversalTime() : DateTime.SpecifyKind(end, DateTimeKind.Utc);
        var faker = new Faker("en_IND") { Random = new Randomizer(seed) };
        _firstNames = Enumerable.Range(0, 600).Select(_ => faker.Name.FirstName()).Distinct(StringComparer.Ordinal).ToArray();
        _lastNames = Enumerable.Range(0, 600).Select(_ => faker.Name.LastName()).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Transactions span the two years before this instant; customers joined before it.</summary>
    public DateTime End { get; }

    /// <summary>
    /// The end for a demo made now: the start of the clock's current UTC day, so that a demo installed on any day has
    /// transactions up to that day and "the last N days" always finds spenders.
    /// </summary>
    public static DateTime EndFor(TimeProvider clock) => clock.GetUtcNow().UtcDateTime.Date;

    public static IReadOnlyList<string> CategoryNames { get; } = Categories.Select(c => c.Category).ToArray();

    /// <summary>Card transactions are three in five of <paramref name="transactions"/>; UPI the rest.</summary>
    public static (long CreditCard, long Upi) Split(long transactions) => (transactions * 3 / 5, transactions - (transactions * 3 / 5));

    /// <summary>
    /// When a customer joined: a fixed function of the id, between four years and three months before <see cref="End"/>
    /// (most customers predate the two-year transaction window, so the monthly totals grow gently rather than steeply).
    /// </summary>
    public DateTime CreatedAt(long userId)
    {
        const ulong span = (4UL * 365 - 90) * 24 * 60;
        var minutes = (long)((ulong)(userId * 2_654_435_761L) % span);
        return End.AddYears(-4).AddMinutes(minutes);
    }

    /// <param name="firstId">The first customer's id; the others follow (a later batch starts after the last id stored).</param>
    public IEnumerable<Customer> Customers(int count, long firstId = 1)
    {
        var random = new Random(_seed);
        for (var id = firstId; id < firstId + count; id++)
        {
            var first = _firstNames[random.Next(_firstNames.Length)];
            var last = _lastNames[random.Next(_lastNames.Length)];
            var (city, tier, pin) = Cities[PickCity(random)];
            var local = $"{Slug(first)}.{Slug(last)}{id}";
            yield return new Customer
            {
                UserId = id,
                Name = $"{first} {last}",
                Email = $"{local}@{EmailDomains[random.Next(EmailDomains.Length)]}",
                Phone = $"+91 {random.Next(6, 10)}{random.Next(0, 1_000_000_000):D9}",
                ZipCode = $"{pin}{random.Next(0, 1000):D3}",
                City = city,
                CityTier = tier,
                CreatedAt = CreatedAt(id),
            };
        }
    }

    public IEnumerable<CreditCardTransaction> CreditCardTransactions(long count, int users)
    {
        var random = new Random(_seed + 1);
        for (long id = 1; id <= count; id++)
        {
            var (userId, category, amount, date) = Draw(random, users);
            var merchants = Categories[category].Merchants;
            yield return new CreditCardTransaction
            {
                TransactionId = id,
                UserId = userId,
                Amount = amount,
                Merchant = merchants[random.Next(merchants.Length)],
                Category = Categories[category].Category,
                TransactionDate = date,
            };
        }
    }

    public IEnumerable<UpiTransaction> UpiTransactions(long count, int users)
    {
        var random = new Random(_seed + 2);
        for (long id = 1; id <= count; id++)
        {
            var (userId, category, amount, date) = Draw(random, users);
            var descriptions = Categories[category].UpiDescriptions;
            yield return new UpiTransaction
            {
                TransactionId = id,
                UserId = userId,
                Amount = Math.Round(amount / 2, 2),
                Description = descriptions[random.Next(descriptions.Length)],
                Category = Categories[category].Category,
                TransactionDate = date,
            };
        }
    }

    private (long UserId, int Category, decimal Amount, DateTime Date) Draw(Random random, int users)
    {
        // A few customers spend a lot: user ids are skewed towards the low end, which gives segments something to find.
        var userId = 1 + (long)(users * Math.Pow(random.NextDouble(), 1.6));
        userId = Math.Min(userId, users);
        var category = random.Next(Categories.Length);
        var typical = Categories[category].Typical;
        // Log-normal around the category's typical amount.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var amount = Math.Round((decimal)(typical * Math.Exp(0.6 * normal)), 2);
        // Uniform over the two-year window; a draw from before the customer joined moves to after they joined.
        var windowStart = End.AddYears(-2);
        var created = CreatedAt(userId);
        var date = windowStart.AddSeconds(Math.Floor((End - windowStart).TotalSeconds * random.NextDouble()));
        if (date < created)
        {
            date = created.AddSeconds(Math.Floor((End - created).TotalSeconds * random.NextDouble()));
        }
        return (userId, category, Math.Max(1m, amount), date);
    }

    private static int PickCity(Random random)
    {
        // Tier 1 cities hold half the customers, tier 2 a third, tier 3 the rest.
        var roll = random.NextDouble();
        return roll < 0.5 ? random.Next(0, 8) : roll < 0.83 ? random.Next(8, 18) : random.Next(18, Cities.Length);
    }

    private static string Slug(string name)
    {
        Span<char> buffer = stackalloc char[name.Length];
        var n = 0;
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                buffer[n++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..n]);
    }
}
