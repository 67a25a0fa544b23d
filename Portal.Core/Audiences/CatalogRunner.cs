using Portal.Core.Adtech;
using Portal.Core.Adtech.Matching;
using Portal.Core.Adtech.Sync;

namespace Portal.Core.Audiences;

/// <summary>
/// What a catalog run covers: every audience or one, every adtech or one (an "Export to AdtechB" button), and the
/// background job it runs in, which its export runs are linked to.
/// </summary>
/// <remarks>
/// <paramref name="Sync"/>: adtechs where the audience exists (it has their id) are synced into that id, sending only who
/// joined and left; <paramref name="FullResync"/>: the same after forgetting what was sent, so every member is sent again.
/// <paramref name="Fetch"/>: the members are fetched from the source again first, even when member data is there.
/// </remarks>
public sealed record CatalogRunScope(string? Audience = null, string? Adtech = null, long? JobId = null, bool Sync = false, bool FullResync = false,
    bool Fetch = false)
{
    public static readonly CatalogRunScope Everything = new();
}

/// <summary>What a catalog run did to one audience.</summary>
public sealed record CatalogRunResult(string Audience, bool Skipped, bool Fetched, IReadOnlyList<string> Uploaded, IReadOnlyList<string> Errors, IReadOnlyList<StateIssue> Issues);

/// <summary>
/// The seed's generator loop, one audience at a time: fetch member data only when it is missing, upload to every
/// configured adtech still NOT_POSTED (as a recorded, resumable export run), record what the adtech reports of its
/// matching on the run (where its connector is an <see cref="IMatchReporter"/>), and write the state back (refused, not
/// overwritten, when someone changed the file meanwhile; the next run then writes the ids without posting again).
/// Invalid state files are reported and skipped, never rewritten.
/// </summary>
public sealed class CatalogRunner(
    AudienceCatalog catalog,
    IBucket bucket,
    HttpDataSource dataSource,
    Segments.SegmentDataSource segmentSource,
    IEnumerable<AdtechConnector> connectors,
    IAdtechConnections connections,
    AudienceExporter exporter,
    AudienceMirror mirror,
    MatchReports matchReports,
    AudienceSyncSchedules syncSchedules,
    AudienceIndex index)
{
    /// <summary>The connectors of each adtech (Google has two APIs; the connection picks one).</summary>
    private readonly ILookup<string, AdtechConnector> _connectors = connectors.ToLookup(c => c.Key, StringComparer.Ordinal);

    /// <summary>Runs the audiences and adtechs in <paramref name="scope"/> (null: everything).</summary>
    public async Task<IReadOnlyList<CatalogRunResult>> RunAsync(CatalogRunScope? scope, Func<CatalogRunResult, Task>? onAudience = null,
        CancellationToken cancellationToken = default)
    {
        scope ??= CatalogRunScope.Everything;
        if (scope.Adtech is not null && !AdtechKeys.All.Contains(scope.Adtech))
        {
            throw new ArgumentException($"Unknown adtech '{scope.Adtech}'. Adtechs: {string.Join(", ", AdtechKeys.All)}.", nameof(scope));
        }

        var results = new List<CatalogRunResult>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in EntriesAsync(scope.Audience, cancellationToken))
        {
            present.Add(entry.Name);
            if (scope.Audience is not null && !string.Equals(entry.Name, scope.Audience, StringComparison.Ordinal))
            {
                continue;
            }

            // A file changed in the bucket directly gets the sync schedules it asks for (an invalid one keeps its own).
            var scheduleProblems = scope.Audience is null && entry.IsValid
                ? await syncSchedules.ApplyAsync(entry.Name, entry.State, Accounts.SystemPrincipal.Instance, cancellationToken)
                : [];
            CatalogRunResult result;
            if (entry.IsValid)
            {
                try
                {
                    result = await RunOneAsync(entry, scope, cancellationToken);
                }
                finally
                {
                    // The run may have written the state file and the member data.
                    await index.RefreshAsync(entry.Name, CancellationToken.None);
                }
            }
            else
            {
                result = new CatalogRunResult(entry.Name, true, false, [], ["The state file is invalid; fix it to include it in runs."], entry.Issues);
            }

            if (scheduleProblems.Count > 0)
            {
                result = result with { Errors = [.. scheduleProblems, .. result.Errors] };
            }

            results.Add(result);
            if (onAudience is not null)
            {
                await onAudience(result);
            }
        }

        if (scope.Audience is null)
        {
            await syncSchedules.RemoveOthersAsync(present, Accounts.SystemPrincipal.Instance, cancellationToken);
        }

        return results;
    }

    /// <summary>Every state file (a run of all audiences), or the one audience's file alone: a run of one never reads the others.</summary>
    private async IAsyncEnumerable<CatalogEntry> EntriesAsync(string? audience, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (audience is null)
        {
            await foreach (var entry in catalog.ScanAsync(cancellationToken))
            {
                yield return entry;
            }
        }
        else if (await catalog.GetAsync(audience, cancellationToken) is { } entry)
        {
            yield return entry;
        }
    }

    private async Task<CatalogRunResult> RunOneAsync(CatalogEntry entry, CatalogRunScope scope, CancellationToken cancellationToken)
    {
        var state = entry.State!;
        var errors = new List<string>();
        if (scope.Adtech is not null && !state.AdtechKeysPresent.Contains(scope.Adtech))
        {
            // Only a run of one audience says so: a run of all audiences to one adtech passes over those without it.
            return new CatalogRunResult(entry.Name, true, false, [],
                scope.Audience is null ? [] : [$"The audience has no '{scope.Adtech}' block; add one to export it there."], []);
        }

        var uploaded = new List<string>();
        var runs = new List<long>();
        var changed = false;
        var fetched = false;
        var hasData = entry.HasMemberData && !scope.Fetch;
        if (!hasData)
        {
            if (state.SourceEndpoint is null && state.SourceSegment is null)
            {
                errors.Add("No member data and no source to fetch it from (an HTTP endpoint or a segment).");
            }
            else
            {
                var fetch = state.SourceSegment is not null
                    ? await segmentSource.FetchAsync(state, bucket, cancellationToken)
                    : await dataSource.FetchAsync(state, bucket, cancellationToken);
                state.SetSourceResponse(fetch.Response);
                changed = true;
                fetched = fetch.Succeeded;
                hasData = fetch.Succeeded;
                if (!fetch.Succeeded)
                {
                    errors.Add($"source: {fetch.Response.Message}");
                }
            }
        }

        string? membersHash = null;
        long? memberCount = null;
        foreach (var key in state.AdtechKeysPresent)
        {
            // An audience that exists at the adtech is synced into the same id, never created again.
            var existing = (scope.Sync || scope.FullResync) && state.AdtechId(key) is { Length: > 0 } id ? id : null;
            if ((scope.Adtech is not null && key != scope.Adtech) || !hasData || (existing is null && state.StatusOf(key, hasData) != AdtechStatus.NotPosted))
            {
                continue;
            }

            var connection = await connections.GetAsync(key, cancellationToken);
            if (connection is null)
            {
                errors.Add($"{key}: no connection is configured (Adtech:Connections:{key}).");
                continue;
            }

            if (_connectors[key].FirstOrDefault(c => c.Serves(connection)) is not { } connector)
            {
                errors.Add($"{key}: no connector is installed for this adtech and connection.");
                continue;
            }

            if (state.CountryProblem is { } countryProblem)
            {
                errors.Add($"{key}: {countryProblem}");
                continue;
            }

            // Once per run: every adtech's export reads the same file.
            membersHash ??= await MemberFile.HashAsync(bucket, state.Name, cancellationToken);
            IAsyncEnumerable<Member> Members() => MemberFile.Members(bucket, state.Name, cancellationToken);
            if (existing is not null && connector is not IMirrorConnector)
            {
                errors.Add($"{key}: this adtech's audiences cannot be synced yet; the audience {existing} was left as it is.");
                continue;
            }

            // A first export to a mirror target records the snapshot as its upload hashes the members.
            await using var seed = existing is null && connector is IMirrorConnector ? mirror.StartSeed() : null;
            var export = existing is not null
                ? await mirror.SyncAsync(state, connector, (IMirrorConnector)connector, connection, existing, Members, membersHash, scope.FullResync, scope.JobId, cancellationToken)
                : await exporter.ExportAsync(state, connector, connection, Members, membersHash, scope.JobId, seed, cancellationToken);
            var outcome = export.Outcome;
            state.SetAdtechResult(key, outcome.Id ?? existing, outcome.Response);
            changed = true;
            if (outcome.Succeeded && existing is null && connector is IMirrorConnector)
            {
                // What the export sent is what the adtech holds: the next sync sends only the difference.
                await mirror.SeedAsync(state, connector, Members(), seed, cancellationToken);
            }

            if (outcome.Succeeded && connector is IMatchReporter reporter && (outcome.Id ?? existing) is { } reported)
            {
                // The match rate is of every member of the file, those with no valid value included.
                memberCount ??= await MemberFile.CountAsync(bucket, state.Name, cancellationToken);
                await matchReports.RecordAsync(export.RunId, reporter, connection, reported, memberCount.Value, cancellationToken);
            }

            if (outcome.Succeeded)
            {
                uploaded.Add(key);
                if (existing is null)
                {
                    runs.Add(export.RunId);
                }
            }
            else
            {
                errors.Add($"{key}: {outcome.Response.Message}");
            }
        }

        if (changed)
        {
            var written = false;
            try
            {
                await bucket.WriteTextAsync(entry.Path, state.ToYaml(), entry.Version, cancellationToken);
                written = true;
            }
            catch (BucketConflictException ex)
            {
                errors.Add($"{ex.Message} The run's results were not written; the next run writes them without posting again.");
            }

            foreach (var run in runs)
            {
                await exporter.CompleteAsync(run, written, CancellationToken.None);
            }
        }

        return new CatalogRunResult(entry.Name, false, fetched, uploaded, errors, []);
    }
}
