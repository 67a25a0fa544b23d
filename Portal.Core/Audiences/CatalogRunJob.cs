using System.Text.Json;
using System.Text.Json.Serialization;
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

    public static string PayloadFor(string? audience, string? adtech = null) =>
        audience is null && adtech is null ? "{}" : JsonSerializer.Serialize(new { audience, adtech }, PayloadOptions);

    /// <summary>A sync of the audience into the ids it has at the adtechs (one adtech, or all); <paramref name="full"/> for a full resync.</summary>
    public static string SyncPayloadFor(string audience, string? adtech, bool full = false) =>
        JsonSerializer.Serialize(new { audience, adtech, sync = full ? "full" : "changes" }, PayloadOptions);

    private static readonly JsonSerializerOptions PayloadOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        string? audience = null;
        string? adtech = null;
        string? sync = null;
        if (!string.IsNullOrWhiteSpace(job.Payload))
        {
            using var payload = JsonDocument.Parse(job.Payload);
            audience = payload.RootElement.TryGetProperty("audience", out var a) ? a.GetString() : null;
            adtech = payload.RootElement.TryGetProperty("adtech", out var t) ? t.GetString() : null;
            sync = payload.RootElement.TryGetProperty("sync", out var s) ? s.GetString() : null;
        }

        var total = audience is null ? await bucket.ListAsync(AudienceCatalog.StateFolder, cancellationToken).CountAsync(cancellationToken) : 1;
        var done = 0;
        var failures = new List<string>();
        await runner.RunAsync(new CatalogRunScope(audience, adtech, job.Id, sync is not null, sync == "full"), async result =>
        {
            done++;
            failures.AddRange(result.Errors.Select(e => $"{result.Audience}: {e}"));
            var what = result.Skipped ? result.Issues.Count > 0 ? "skipped (invalid)" : $"skipped (no {adtech})"
                : result.Uploaded.Count > 0 ? $"uploaded to {string.Join(", ", result.Uploaded)}" : result.Fetched ? "fetched" : "up to date";
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
