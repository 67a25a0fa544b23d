namespace Portal.Core.Uploads;

/// <summary>
/// The datasets CSV files can be imported into: the three customer tables, loaded into their database tables so
/// rules see them, and the ad datasets (impressions, clicks and conversions), partitioned by quarter, which keep the
/// <c>campaign_revenues</c> aggregate in step. Column names are the tables' own.
/// </summary>
public static class DatasetCatalog
{
    public const string Users = "users";
    public const string CreditCardTransactions = "credit_card_transactions";
    public const string UpiTransactions = "upi_transactions";
    public const string Impressions = "impressions";
    public const string Clicks = "clicks";
    public const string Conversions = "conversions";

    /// <summary>The database table of the aggregate the three ad datasets keep in step.</summary>
    public const string CampaignRevenuesTable = "campaign_revenues";

    private static readonly DatasetColumn UserId = new("user_id", ColumnType.Int64, Description: "The customer (a user_id of users).", References: Users);

    public static IReadOnlyList<DatasetSchema> All { get; } =
    [
        new(Users, "Users", "Customers: loaded into users.",
        [
            new("user_id", ColumnType.Int64, Key: true, Description: "The customer's id."),
            new("name", ColumnType.String, MaxLength: 200, Pii: true),
            new("email", ColumnType.String, MaxLength: 320, Pii: true),
            new("phone", ColumnType.String, Required: false, Description: "Empty when unknown.", MaxLength: 32, Pii: true),
            new("zip_code", ColumnType.String, Required: false, Description: "Empty when unknown.", MaxLength: 16, Pii: true),
            new("city", ColumnType.String, MaxLength: 100),
            new("city_tier", ColumnType.Int64, Description: "1, 2 or 3.", Minimum: 1, Maximum: 3),
            new("created_at", ColumnType.DateTime, Description: "When the customer joined (UTC)."),
        ], PartitionKind.None, Users, HealthDate: "created_at"),
        new(CreditCardTransactions, "Credit-card transactions", "Card payments: loaded into credit_card_transactions.",
        [
            new("transaction_id", ColumnType.Int64, Key: true),
            UserId,
            new("amount", ColumnType.Decimal),
            new("merchant", ColumnType.String, MaxLength: 100),
            new("category", ColumnType.String, MaxLength: 50),
            new("transaction_date", ColumnType.DateTime, Description: "UTC."),
        ], PartitionKind.None, CreditCardTransactions, HealthDate: "transaction_date"),
        new(UpiTransactions, "UPI transactions", "UPI payments: loaded into upi_transactions.",
        [
            new("transaction_id", ColumnType.Int64, Key: true),
            UserId,
            new("amount", ColumnType.Decimal),
            new("description", ColumnType.String, Description: "What rules call the merchant of a UPI payment.", MaxLength: 200),
            new("category", ColumnType.String, MaxLength: 50),
            new("transaction_date", ColumnType.DateTime, Description: "UTC."),
        ], PartitionKind.None, UpiTransactions, HealthDate: "transaction_date"),
        new(Impressions, "Impressions", "Banners shown per campaign, by quarter; a banner and campaign pair once per quarter.",
        [
            new("banner_id", ColumnType.Int64, Key: true),
            new("campaign_id", ColumnType.Int64, Key: true),
        ], PartitionKind.Quarter),
        new(Clicks, "Clicks", "Clicks on banners, by quarter.",
        [
            new("click_id", ColumnType.Int64, Key: true),
            new("banner_id", ColumnType.Int64),
            new("campaign_id", ColumnType.Int64),
        ], PartitionKind.Quarter),
        new(Conversions, "Conversions", "Revenue from clicks, by quarter.",
        [
            new("conversion_id", ColumnType.Int64, Key: true),
            new("click_id", ColumnType.Int64),
            new("revenue", ColumnType.Double),
        ], PartitionKind.Quarter),
    ];

    /// <summary>The dataset of that name (any case), or null.</summary>
    public static DatasetSchema? Find(string? name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The dataset and the partition in its stored form for importing a file of that name, or the reason they (or the name) cannot be.</summary>
    /// <exception cref="ImportRejectedException">Unknown dataset, a partition the dataset does not have, or a file name that is a path.</exception>
    public static (DatasetSchema Schema, string Partition) Resolve(string? dataset, string? partition, string? fileName)
    {
        var schema = Find(dataset)
            ?? throw new ImportRejectedException($"There is no dataset '{dataset}'. Datasets: {string.Join(", ", All.Select(d => d.Name))}.",
                ImportRejection.UnknownDataset);
        if (!schema.TryNormalizePartition(partition, out var normalized, out var error))
        {
            throw new ImportRejectedException(error!, ImportRejection.BadPartition);
        }

        if (DatasetFiles.FileNameProblem(fileName) is { } problem)
        {
            throw new ImportRejectedException(problem, ImportRejection.BadFileName);
        }

        return (schema, normalized);
    }

    /// <summary>Whether imports into this dataset change <c>campaign_revenues</c>.</summary>
    public static bool FeedsCampaignRevenues(string dataset) => dataset is Impressions or Clicks or Conversions;
}
