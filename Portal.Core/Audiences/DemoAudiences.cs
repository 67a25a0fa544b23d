namespace Portal.Core.Audiences;

/// <summary>The state files a new bucket starts with: the seed's first stage, and two more in the same shape.</summary>
public static class DemoAudiences
{
    public static readonly IReadOnlyDictionary<string, string> Files = new Dictionary<string, string>
    {
        ["demo_audience"] = """
            demo_audience:
              description: A demo audience from a filtered demo data source.

              source:
                endpoint: demo-endpoint/
                params:
                  demo: true

              adtechA:
                name: New Audience
                audience_type: TYPE_X
            """,
        ["frequent_travellers"] = """
            frequent_travellers:
              description: Customers with three or more travel purchases in the last 90 days.

              source:
                endpoint: demo-endpoint/
                params:
                  category: Travel
                  min_purchases: 3
                  days: 90

              adtechA:
                name: Frequent Travellers
                audience_type: TYPE_X

              adtechB:
                name: Frequent Travellers
                expiration_time: 90

              googleAds:
                name: Frequent Travellers
                membership_life_span: 90
            """,
        ["tier1_grocery_shoppers"] = """
            tier1_grocery_shoppers:
              description: Tier 1 city customers who buy groceries every month.

              source:
                endpoint: demo-endpoint/
                params:
                  category: Groceries
                  city_tier: 1

              adtechB:
                name: Tier 1 Grocery Shoppers
                expiration_time: 1000
            """,
    };

    /// <summary>Writes the demo files into an empty state folder; a bucket with any state file is left alone.</summary>
    public static async Task<int> SeedAsync(IBucket bucket, CancellationToken cancellationToken = default)
    {
        await foreach (var _ in bucket.ListAsync(AudienceCatalog.StateFolder, cancellationToken))
        {
            return 0;
        }

        foreach (var (name, text) in Files)
        {
            await bucket.WriteTextAsync(AudienceCatalog.StatePath(name), text.ReplaceLineEndings("\n") + "\n", null, cancellationToken);
        }

        return Files.Count;
    }
}
