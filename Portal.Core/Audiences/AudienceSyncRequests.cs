using System.Security.Claims;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Jobs;

namespace Portal.Core.Audiences;

/// <summary>
/// Syncs people ask for on the audience page: "Sync now" (fetch the members from the source again and send who joined
/// and left into the same audience id) and "Full resync" (forget what was sent and send every member again into the
/// same id). Only operators may start them, and they are audited.
/// </summary>
public sealed class AudienceSyncRequests(JobQueue queue, AuditLog audit)
{
    /// <summary>Queues a sync of the audience to one adtech that fetches its members again first.</summary>
    public Task<JobRecord> QueueSyncAsync(string audience, string adtech, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        QueueAsync(audience, adtech, CatalogRunJob.FetchAndSyncPayloadFor(audience, RequireKnown(adtech)), $"Sync {audience} to {AdtechKeys.DisplayName(adtech)}",
            "audience.sync", "sync audiences", user, cancellationToken);

    /// <summary>Queues a full resync of the audience to one adtech, or to every adtech it exists at (null).</summary>
    public Task<JobRecord> QueueFullResyncAsync(string audience, string? adtech, ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        QueueAsync(audience, adtech, CatalogRunJob.SyncPayloadFor(audience, adtech is null ? null : RequireKnown(adtech), full: true),
            $"Full resync of {audience} to {(adtech is null ? "every adtech" : AdtechKeys.DisplayName(adtech))}", "audience.resync", "resync audiences",
            user, cancellationToken);

    private async Task<JobRecord> QueueAsync(string audience, string? adtech, string payload, string title, string action, string what, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var actor = user.RequireOperator(what);
        var job = await queue.EnqueueAsync(CatalogRunJob.Kind, user, payload, title, cancellationToken: cancellationToken);
        var where = adtech is null ? "every adtech" : AdtechKeys.DisplayName(adtech);
        await audit.WriteAsync(actor, action, $"audience:{audience}", $"{where}, job {job.Id}", cancellationToken);
        return job;
    }

    private static string RequireKnown(string adtech) => AdtechKeys.All.Contains(adtech, StringComparer.Ordinal)
        ? adtech
        : throw new ArgumentException($"'{adtech}' is not a known adtech.", nameof(adtech));
}
