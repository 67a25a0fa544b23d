using System.Security.Claims;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Jobs;

namespace Portal.Core.Audiences;

/// <summary>
/// The "Full resync" of an audience to one adtech (or all): forgets what was sent there and sends every member again
/// into the same audience id. Only operators may start one, and it is audited.
/// </summary>
public sealed class AudienceResync(JobQueue queue, AuditLog audit)
{
    public async Task<JobRecord> QueueAsync(string audience, string? adtech, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var actor = user.RequireOperator("resync audiences");
        if (adtech is not null && !AdtechKeys.All.Contains(adtech, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{adtech}' is not a known adtech.", nameof(adtech));
        }

        var where = adtech is null ? "every adtech" : AdtechKeys.DisplayName(adtech);
        var job = await queue.EnqueueAsync(CatalogRunJob.Kind, user, CatalogRunJob.SyncPayloadFor(audience, adtech, full: true),
            $"Full resync of {audience} to {where}", cancellationToken: cancellationToken);
        await audit.WriteAsync(actor, "audience.resync", $"audience:{audience}", $"{where}, job {job.Id}", cancellationToken);
        return job;
    }
}
