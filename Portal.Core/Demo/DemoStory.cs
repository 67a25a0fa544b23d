using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Core.Uploads;

namespace Portal.Core.Demo;

/// <summary>What <see cref="DemoStory.CreateAsync"/> added (what existed already is left as it is and not counted).</summary>
public sealed record DemoStoryResult(int FilesImported, int RulesCreated, int SegmentsRefreshed, string? AudienceCreated);

/// <summary>
/// The demo beyond the customer tables, made through the portal's own services as a person would: small files
/// imported into every upload dataset (<see cref="DemoUploads"/>), the demo rules saved (<see cref="DemoRules"/>) and
/// their segments refreshed, and an audience fed by one segment, exported to the sandbox's AdtechA and AdtechB (a
/// queued catalog run, so it runs once the portal is up). The lineage then reads tables → rules → segments → audience
/// → adtechs. What exists already (a file name imported, a rule name, an audience fed by the segment) is kept, so a
/// second run after <c>seed</c> only refreshes the segments over the new data.
/// </summary>
public sealed partial class DemoStory(
    IDbContextFactory<PortalDbContext> dbFactory,
    DatasetImporter importer,
    RuleService rules,
    SegmentRefresher refresher,
    SegmentAudiences segmentAudiences,
    AudienceEditor editor,
    IBucket bucket,
    JobQueue queue,
    ILogger<DemoStory> logger)
{
    /// <param name="end">The demo data's end (<see cref="Customers.DemoDataGenerator.End"/>): the files' payments fall in the week before it.</param>
    /// <param name="progress">Told each step in words, for the start-up page.</param>
    public async Task<DemoStoryResult> CreateAsync(DateTime end, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var user = SystemPrincipal.Instance;
        var imported = await ImportFilesAsync(end, progress, cancellationToken);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var created = 0;
        var saved = new Dictionary<string, (long RuleId, long SegmentId)>(StringComparer.Ordinal);
        async Task SaveAllAsync(IEnumerable<RuleDraft> drafts)
        {
            foreach (var draft in drafts)
            {
                var existing = await db.Rules.AsNoTracking().Where(r => r.Name == draft.Name).Select(r => (long?)r.Id).SingleOrDefaultAsync(cancellationToken);
                if (existing is null)
                {
                    progress?.Report($"Saving the demo rule '{draft.Name}'");
                    var result = await rules.SaveAsync(null, draft, null, user, cancellationToken);
                    existing = result.Rule?.Id ?? throw new InvalidOperationException($"The demo rule '{draft.Name}' was refused: {string.Join("; ", result.Issues)}");
                    created++;
                }

                var segmentId = await db.Segments.AsNoTracking().Where(s => s.RuleId == existing).Select(s => s.Id).SingleAsync(cancellationToken);
                saved[draft.Name] = (existing.Value, segmentId);
            }
        }

        await SaveAllAsync(DemoRules.Base);
        await SaveAllAsync(DemoRules.Combined(saved));

        var fed = (await segmentAudiences.FedByAsync(DemoRules.AudienceSegment, cancellationToken)).Count > 0;
        var refreshed = 0;
        foreach (var ruleId in await refresher.InRefreshOrderAsync(saved.Values.Select(s => s.RuleId), cancellationToken))
        {
            var name = saved.Single(s => s.Value.RuleId == ruleId).Key;
            progress?.Report($"Refreshing the demo segment '{name}'");
            var report = await refresher.RefreshRuleAsync(ruleId, null, null, cancellationToken);
            foreach (var outcome in report.Refreshed)
            {
                if (!outcome.Succeeded)
                {
                    LogRefreshFailed(logger, outcome.Name, outcome.Error);
                    continue;
                }

                refreshed++;
                // As after any refresh: the audiences the segment feeds sync who joined and left (after a `seed`).
                await segmentAudiences.QueueSyncAsync(outcome.Name, cancellationToken);
            }
        }

        var audience = fed ? null : await CreateAudienceAsync(cancellationToken);
        return new DemoStoryResult(imported, created, refreshed, audience);
    }

    private async Task<int> ImportFilesAsync(DateTime end, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        DemoKeys keys;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            keys = new DemoKeys(
                await db.Customers.MaxAsync(c => (long?)c.UserId, cancellationToken) ?? 0,
                await db.CreditCardTransactions.MaxAsync(t => (long?)t.TransactionId, cancellationToken) ?? 0,
                await db.UpiTransactions.MaxAsync(t => (long?)t.TransactionId, cancellationToken) ?? 0);
        }

        var imported = 0;
        foreach (var upload in DemoUploads.For(end, keys))
        {
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                if (await db.ImportedFiles.AnyAsync(f => f.Dataset == upload.Dataset && f.FileName == upload.FileName && f.Status == ImportStatus.Imported, cancellationToken))
                {
                    continue;
                }
            }

            progress?.Report($"Importing the demo file {upload.FileName}");
            var path = DatasetFiles.NewUploadPath(upload.FileName);
            await bucket.WriteTextAsync(path, upload.Csv, null, cancellationToken);
            try
            {
                var file = await importer.ImportAsync(new ImportRequest(upload.Dataset, upload.Partition, upload.FileName, path, SystemPrincipal.Name,
                    ImportSource.Upload), cancellationToken: cancellationToken);
                if (file.Status == ImportStatus.Imported)
                {
                    imported++;
                }
                else
                {
                    LogImportRefused(logger, upload.FileName, file.Error);
                }
            }
            finally
            {
                await bucket.DeleteAsync(path, CancellationToken.None);
            }
        }

        return imported;
    }

    /// <summary>The audience fed by the demo segment, with an AdtechA and an AdtechB block, saved and its export queued.</summary>
    private async Task<string> CreateAudienceAsync(CancellationToken cancellationToken)
    {
        var name = SegmentAudiences.AudienceNameFor(DemoRules.AudienceSegment);
        var text = $"""
            {name}:
              description: Card travel spenders in tier 1 cities, kept in sync after each refresh of the segment.
              source:
                segment: {DemoRules.AudienceSegment}
              {AdtechKeys.AdtechA}:
                name: {DemoRules.AudienceSegment}
                audience_type: TYPE_X
              {AdtechKeys.AdtechB}:
                name: {DemoRules.AudienceSegment}
                expiration_time: 90
            """;
        var saved = await editor.SaveAsync(name, text.ReplaceLineEndings("\n") + "\n", null, SystemPrincipal.Instance, cancellationToken);
        if (saved.Outcome != SaveOutcome.Saved)
        {
            throw new InvalidOperationException($"The demo audience '{name}' was refused: {saved.Outcome} {string.Join("; ", saved.Issues)}");
        }

        await queue.EnqueueAsync(CatalogRunJob.Kind, SystemPrincipal.Instance, CatalogRunJob.PayloadFor(name),
            $"Export segment {DemoRules.AudienceSegment} to AdtechA and AdtechB", cancellationToken: cancellationToken);
        return name;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo file {FileName} was not imported: {Reason}")]
    private static partial void LogImportRefused(ILogger logger, string fileName, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The demo segment {Name} failed to refresh: {Error}")]
    private static partial void LogRefreshFailed(ILogger logger, string name, string? error);
}
