using System.Text.Json;
using Portal.Core.Jobs;

namespace Portal.Core.Audiences;

/// <summary>
/// The catalog run as a background job: all audiences, or one (payload <c>{"audience":"name"}</c>), with progress per
/// audience. Fails (and so retries) when an audience could not be fetched or uploaded.
/// </summary>
public sealed class CatalogRunJob(CatalogRunner runner, IBucket bucket) : IJobHandler
{
    public const string Kind = "audiences.catalog-run";
    public const string DisplayName = "Run the audience catalog";

    public static string PayloadFor(string? audience) => audience is null ? "{}" : JsonSerializer.Serialize(new { audience });

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        string? audience = null;
        if (!string.IsNullOrWhiteSpace(job.Payload) && JsonDocument.Parse(job.Payload).RootElement.TryGetProperty("audience", out var a))
        {
            audience = a.GetString();
        }

        var total = audience is null ? await bucket.ListAsync(AudienceCatalog.StateFolder, cancellationToken).CountAsync(cancellationToken) : 1;
        var done = 0;
        var failures = new List<string>();
        await runner.RunAsync(audience, async result =>
        {
            done++;
            failures.AddRange(result.Errors.Select(e => $"{result.Audience}: {e}"));
            var what = result.Skipped ? "skipped (invalid)" : result.Uploaded.Count > 0 ? $"uploaded to {string.Join(", ", result.Uploaded)}" : result.Fetched ? "fetched" : "up to date";
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
