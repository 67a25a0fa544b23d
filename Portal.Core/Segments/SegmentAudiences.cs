using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Core.Segments;

/// <summary>
/// Segments and the audiences they feed (state files whose <c>source.segment</c> names the segment): one-button export
/// of a segment to an adtech (creating or reusing its audience), the export status per adtech, and queuing a sync of
/// the fed audiences after a refresh.
/// </summary>
public sealed partial class SegmentAudiences(
    IDbContextFactory<PortalDbContext> dbFactory,
    AudienceCatalog catalog,
    AudienceIndex index,
    AudienceQueries audiences,
    AudienceEditor editor,
    IBucket bucket,
    JobQueue queue,
    TimeProvider clock)
{
    [GeneratedRegex("[^a-z0-9_-]+", RegexOptions.CultureInvariant)]
    private static partial Regex Unsafe();

    /// <summary>The name of the audience a segment's export creates: the segment's name as a safe file name.</summary>
    public static string AudienceNameFor(string segmentName)
    {
        var slug = Unsafe().Replace(segmentName.ToLowerInvariant(), "_").Trim('_', '-');
        slug = slug.Length == 0 ? "segment" : slug;
        return ("segment_" + slug)[..Math.Min(100, "segment_".Length + slug.Length)];
    }

    /// <summary>The audiences fed by the segment, with their status per adtech.</summary>
    public Task<IReadOnlyList<AudienceOverview>> FedByAsync(string segmentName, CancellationToken cancellationToken = default) =>
        audiences.FedByAsync(segmentName, cancellationToken: cancellationToken);

    /// <summary>
    /// Exports the segment to one adtech: reuses the audience fed by the segment (adding the adtech's block if it is
    /// missing) or creates one, then queues its export to that adtech. Returns the audience and the queued job.
    /// </summary>
    public async Task<(string Audience, JobRecord Job)> ExportAsync(long segmentId, string adtechKey, ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        user.RequireOperator("export segments");
        if (!AdtechKeys.All.Contains(adtechKey))
        {
            throw new ArgumentException($"'{adtechKey}' is not a known adtech.", nameof(adtechKey));
        }

        Segment segment;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            segment = await db.Segments.AsNoTracking().SingleOrDefaultAsync(s => s.Id == segmentId, cancellationToken)
                ?? throw new KeyNotFoundException($"There is no segment {segmentId}.");
        }

        var existing = (await FedByAsync(segment.Name, cancellationToken)).FirstOrDefault();
        var name = existing?.Name ?? AudienceNameFor(segment.Name);
        var document = await editor.OpenAsync(name, cancellationToken);
        var text = document?.Text ?? NewState(name, segment);
        var parsed = editor.Parse(name, text);
        if (parsed.State is not { } state)
        {
            throw new InvalidOperationException($"The audience '{name}' is not valid: {string.Join("; ", parsed.Issues)}");
        }

        if (document is not null && state.SourceSegment != segment.Name)
        {
            throw new InvalidOperationException($"An audience named '{name}' exists and is not fed by segment '{segment.Name}'.");
        }

        if (!state.AdtechKeysPresent.Contains(adtechKey))
        {
            state.AddAdtech(adtechKey);
            state.SetAdtechSetting(adtechKey, "name", segment.Name);
        }

        var yaml = state.ToYaml();
        if (document is null || yaml != document.Text)
        {
            var saved = await editor.SaveAsync(name, yaml, document?.Version, user, cancellationToken);
            if (saved.Outcome != SaveOutcome.Saved)
            {
                throw new InvalidOperationException($"The audience '{name}' could not be saved: {saved.Outcome} {string.Join("; ", saved.Issues)}");
            }
        }

        var job = await queue.EnqueueAsync(CatalogRunJob.Kind, user, CatalogRunJob.PayloadFor(name, adtechKey),
            $"Export segment {segment.Name} to {AdtechKeys.DisplayName(adtechKey)}", cancellationToken: cancellationToken);
        return (name, job);
    }

    /// <summary>
    /// After the segment's members changed: every audience it feeds gets its member data dropped (the next run fetches
    /// the new members) and, when it exists at an adtech, a sync queued that sends who joined and who left into the same
    /// audience id there, except to adtechs whose block says <c>sync_after_refresh: false</c> (they sync on their
    /// schedule or by hand). Returns the audiences whose sync was queued.
    /// </summary>
    public async Task<IReadOnlyList<string>> QueueSyncAsync(string segmentName, CancellationToken cancellationToken = default)
    {
        var queued = new List<string>();
        var date = clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        // The index names the candidates; each file is read again here, as a run reads it, before it is written.
        foreach (var fed in await audiences.FedByAsync(segmentName, validOnly: false, cancellationToken))
        {
            if (await catalog.GetAsync(fed.Name, cancellationToken) is not { State: { } state } entry || state.SourceSegment != segmentName)
            {
                continue;
            }

            var posted = state.AdtechKeysPresent.Where(k => state.AdtechId(k) is { Length: > 0 }).ToList();
            var syncing = posted.Where(state.SyncsAfterRefresh).ToList();
            foreach (var key in posted)
            {
                state.SetAdtechResult(key, state.AdtechId(key), new LastResponse(date, 0, syncing.Contains(key)
                    ? $"Segment '{segmentName}' was refreshed: sync queued."
                    : $"Segment '{segmentName}' was refreshed: syncs on its schedule or with Sync now."));
            }

            try
            {
                await bucket.WriteTextAsync(entry.Path, state.ToYaml(), entry.Version, cancellationToken);
                await bucket.DeleteAsync(AudienceCatalog.DataPath(entry.Name), cancellationToken);
            }
            catch (BucketConflictException)
            {
                // Someone saved the audience meanwhile; the next refresh queues it again.
                continue;
            }
            finally
            {
                await index.RefreshAsync(entry.Name, CancellationToken.None);
            }

            // One job for all the adtechs when every one syncs after a refresh; else one job for each that does.
            foreach (var adtech in syncing.Count == posted.Count ? syncing.Take(1).Select(_ => (string?)null) : syncing)
            {
                var where = adtech is null ? "" : $" to {AdtechKeys.DisplayName(adtech)}";
                await queue.EnqueueAsync(CatalogRunJob.Kind, SystemPrincipal.Instance, CatalogRunJob.SyncPayloadFor(entry.Name, adtech),
                    $"Sync audience {entry.Name}{where} after segment {segmentName} was refreshed", cancellationToken: cancellationToken);
            }

            if (syncing.Count > 0)
            {
                queued.Add(entry.Name);
            }
        }

        return queued;
    }

    private static string NewState(string name, Segment segment) =>
        $"""
        {name}:
          description: {Quote(segment.Description ?? $"Members of segment {segment.Name}")}
          source:
            segment: {Quote(segment.Name)}
        """;

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
