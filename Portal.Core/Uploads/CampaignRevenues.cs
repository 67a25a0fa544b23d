using Portal.Core.Audiences;

namespace Portal.Core.Uploads;

/// <summary>
/// The campaign aggregate for one quarter, from the quarter's stored files: impressions LEFT JOIN clicks (on banner and
/// campaign) LEFT JOIN conversions (on the click), grouped by campaign and banner. Revenue is the sum of the
/// conversions' revenue (added as decimals, so the sum does not depend on the order of the rows), clicks the number of
/// distinct clicks (the seed's COUNT over the join would count a click once per conversion). A pair without impressions
/// has no row, as in the seed. Recomputing from every stored file is what makes the result the same whatever order the
/// files came in.
/// </summary>
internal static class CampaignRevenues
{
    /// <param name="files">The quarter's stored files by dataset (impressions, clicks, conversions), the file being imported included.</param>
    public static async Task<List<CampaignRevenue>> ComputeAsync(IBucket bucket, string quarter, IReadOnlyDictionary<string, List<string>> files,
        CancellationToken cancellationToken)
    {
        var pairs = new HashSet<(long Campaign, long Banner)>();
        await ForEachAsync(bucket, files, DatasetCatalog.Impressions, (columns, row) =>
            pairs.Add((columns[1]!.Int64(row), columns[0]!.Int64(row))), cancellationToken);

        var clickPair = new Dictionary<long, (long Campaign, long Banner)>();
        await ForEachAsync(bucket, files, DatasetCatalog.Clicks, (columns, row) =>
            clickPair.TryAdd(columns[0]!.Int64(row), (columns[2]!.Int64(row), columns[1]!.Int64(row))), cancellationToken);

        var revenueOfClick = new Dictionary<long, decimal>();
        await ForEachAsync(bucket, files, DatasetCatalog.Conversions, (columns, row) =>
        {
            var click = columns[1]!.Int64(row);
            revenueOfClick[click] = revenueOfClick.GetValueOrDefault(click) + (decimal)columns[2]!.Double(row);
        }, cancellationToken);

        var clicks = new Dictionary<(long, long), long>();
        var revenue = new Dictionary<(long, long), decimal>();
        foreach (var (click, pair) in clickPair)
        {
            if (!pairs.Contains(pair))
            {
                continue;
            }

            clicks[pair] = clicks.GetValueOrDefault(pair) + 1;
            if (revenueOfClick.TryGetValue(click, out var amount))
            {
                revenue[pair] = revenue.GetValueOrDefault(pair) + amount;
            }
        }

        return [.. pairs.Order().Select(p => new CampaignRevenue
        {
            CampaignId = p.Campaign,
            BannerId = p.Banner,
            Quarter = quarter,
            Revenue = (double)revenue.GetValueOrDefault(p),
            Clicks = clicks.GetValueOrDefault(p),
        })];
    }

    private static async Task ForEachAsync(IBucket bucket, IReadOnlyDictionary<string, List<string>> files, string dataset,
        Action<ColumnBuffer?[], int> onRow, CancellationToken cancellationToken)
    {
        var schema = DatasetCatalog.Find(dataset)!;
        foreach (var path in files.GetValueOrDefault(dataset) ?? [])
        {
            await DatasetFiles.ReadAsync(bucket, path, schema, null, (columns, count) =>
            {
                for (var row = 0; row < count; row++)
                {
                    onRow(columns, row);
                }

                return Task.CompletedTask;
            }, cancellationToken);
        }
    }
}
