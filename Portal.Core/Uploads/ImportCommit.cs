namespace Portal.Core.Uploads;

/// <summary>
/// What an import's commit records: the request, where the file went (dataset, partition, stored Parquet, the staged
/// copy the rows are loaded from), what reading it gave, the quarter's recomputed aggregate (ad datasets), and the
/// earlier import it replaces (a forced re-import).
/// </summary>
internal sealed record ImportCommit(
    ImportRequest Request,
    DatasetSchema Schema,
    string Partition,
    string Stored,
    string Staging,
    CsvImportResult Read,
    List<CampaignRevenue>? Revenues,
    ImportReplacement? Replacement);
