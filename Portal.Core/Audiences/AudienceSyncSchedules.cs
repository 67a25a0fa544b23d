using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Core.Audiences;

/// <summary>
/// Keeps the job schedules that sync an audience to an adtech in step with its state file's <c>sync_schedule</c>
/// keys: one schedule per audience × adtech with a cron (a catalog run that fetches the members again and syncs
/// them into the same audience id), none where the key or the adtech block is gone. The state file is the truth: the
/// editor applies it on every save, and every catalog run over all audiences applies it again, so a file changed in
/// the bucket directly gets its schedules too, and schedules of audiences no longer in the bucket go.
/// </summary>
public sealed class AudienceSyncSchedules(JobSchedules schedules, IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The schedule's name, as the Jobs page lists it.</summary>
    public static string NameFor(string audience, string adtech) => $"Sync {audience} to {AdtechKeys.DisplayName(adtech)}";

    /// <summary>
    /// Creates, changes or deletes the audience's sync schedules to match <paramref name="state"/> (null: the audience
    /// is gone). Returns what could not be applied (a cron more frequent than schedules may run), by field; the
    /// schedule it would change stays as it was.
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(string audience, AudienceState? state, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        foreach (var adtech in AdtechKeys.All)
        {
            var cron = state is not null && state.AdtechKeysPresent.Contains(adtech) ? state.SyncSchedule(adtech) : null;
            try
            {
                await schedules.SetForPayloadAsync(NameFor(audience, adtech), CatalogRunJob.Kind, CatalogRunJob.FetchAndSyncPayloadFor(audience, adtech),
                    cron, user, cancellationToken);
            }
            catch (ScheduleValidationException ex)
            {
                problems.Add($"{adtech}.{AdtechKeys.SyncSchedule}: {ex.Message}");
            }
        }

        return problems;
    }

    /// <summary>Deletes the sync schedules of audiences not in <paramref name="present"/> (names as the bucket has them).</summary>
    public async Task RemoveOthersAsync(IReadOnlySet<string> present, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        List<string> payloads;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            payloads = await db.JobSchedules.Where(s => s.Kind == CatalogRunJob.Kind).Select(s => s.Payload!).ToListAsync(cancellationToken);
        }

        foreach (var payload in payloads.Distinct())
        {
            if (TryReadSyncSchedule(payload) is { } owner && !present.Contains(owner.Audience))
            {
                await schedules.SetForPayloadAsync(NameFor(owner.Audience, owner.Adtech), CatalogRunJob.Kind, payload, null, user, cancellationToken);
            }
        }
    }

    /// <summary>The audience and adtech of a sync schedule's payload, or null for any other catalog-run payload.</summary>
    private static (string Audience, string Adtech)? TryReadSyncSchedule(string? payload)
    {
        try
        {
            return CatalogRunPayload.FromJson(payload) is { Audience: { } audience, Adtech: { } adtech, Fetch: true }
                && payload == CatalogRunJob.FetchAndSyncPayloadFor(audience, adtech)
                ? (audience, adtech)
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // someone's own schedule with a payload of another shape: not ours to delete
        }
    }
}
