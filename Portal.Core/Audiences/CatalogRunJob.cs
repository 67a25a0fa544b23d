using Portal.Core.Jobs;

namespace Portal.Core.Audiences;

/// <summary>
/// The catalog run as a background job: all audiences, or one (payload <c>{"audience":"name"}</c>), to every adtech
/// or one (<c>"adtech":"adtechB"</c>, the "Export to AdtechB" button), with progress per audience. The export runs it
/// makes carry its job id. Fails (and so retries, resuming the exports) when an audience could not be fetched or uploaded.
/// </summary>
public sealed class CatalogRunJob(CatalogRunner runner, IBucket bucket) : IJobHandler
{
    public const string Kind = "audiences.catalog-run";
    public const string DisplayName = "Run the audience catalog";

    public static string PayloadFor(string? audience, string? adtech = null) => new CatalogRunPayload(audience, adtech).ToJson();

    /// <summary>A sync of the audience into the ids it has at the adtechs (one adtech, or all); <paramref name="full"/> for a full resync.</summary>
    public static string SyncPayloadFor(string audience, string? adtech, bool full = false) =>
        new CatalogRunPayload(audience, adtech, full ? CatalogRunPayload.SyncFull : CatalogRunPayload.SyncChanges).ToJson();

    /// <summary>A sync that first fetches the members from the audience's source again: a schedule's, or "Sync now".</summary>
    public static string FetchAndSyncPayloadFor(string audience, string adtech) =>
        new CatalogRunPayload(audience, adtech, CatalogRunPayload.SyncChanges, Fetch: true).ToJson();

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var payload = CatalogRunPayload.FromJson(job.Payload);
        var (audience, adtech) = (payload.Audience, payload.Adtech);
        var total = audience is null ? await bucket.ListAsync(AudienceCatalog.StateFolder, cancellationToken).CountAsync(cancellationToken) : 1;
        var done = 0;
        var failures = new List<string>();
        await runner.RunAsync(payload.ToScope(job.Id), async result =>
        {
            done++;
            failures.AddRange(result.Errors.Select(e => $"{result.Audience}: {e}"));
            var what = result.Skipped ? result.Issues.Count > 0 ? "skipped (invalid)" : $"skipped (no {adtech})"
                : result.Uploaded.Count > 0 ? $"{(payload.Sync is null ? "uploaded to" : "synced to")} {string.Join(", ", result.Uploaded)}"
                : result.Fetched ? "fetched" : "up to date";
            await job.ReportAsync(done, Math.Max(total, done), $"{result.Audience}: {what}", cancellationToken);
        }, cancellationToken);

        if (audience is not null && done == 0)
        {
            throw new InvalidOperationException($"No audience named '{audience}' in the bucket.");
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", failures));
        }
    }
}
