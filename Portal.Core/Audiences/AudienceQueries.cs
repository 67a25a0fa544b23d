namespace Portal.Core.Audiences;

/// <summary>One adtech of one audience, as the Audiences grid shows it.</summary>
public sealed record AdtechCell(string Key, string? Name, AdtechStatus Status, string? Id, LastResponse? LastResponse);

/// <summary>A row of the Audiences grid.</summary>
public sealed record AudienceOverview(string Name, string? Description, bool IsValid, IReadOnlyList<StateIssue> Issues, bool HasMemberData,
    long? Members, IReadOnlyList<AdtechCell> Adtechs, LastResponse? SourceResponse, string Yaml, string? SourceSegment = null);

/// <summary>Reads the bucket for the Audiences page (no writes).</summary>
public sealed class AudienceQueries(AudienceCatalog catalog, IBucket bucket, YamlLimits? limits = null)
{
    private readonly long _maxBytes = (limits ?? YamlLimits.Default).MaxFileBytes;

    public async Task<IReadOnlyList<AudienceOverview>> ListAsync(CancellationToken cancellationToken = default)
    {
        var rows = new List<AudienceOverview>();
        await foreach (var entry in catalog.ScanAsync(cancellationToken))
        {
            rows.Add(await OverviewAsync(entry, cancellationToken));
        }

        return rows;
    }

    /// <summary>One audience's row, or null when it has no state file.</summary>
    public async Task<AudienceOverview?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        await catalog.GetAsync(name, cancellationToken) is { } entry ? await OverviewAsync(entry, cancellationToken) : null;

    private async Task<AudienceOverview> OverviewAsync(CatalogEntry entry, CancellationToken cancellationToken)
    {
        long? members = entry.HasMemberData ? await MemberFile.CountAsync(bucket, entry.Name, cancellationToken) : null;
        var adtechs = entry.State is { } state
            ? state.AdtechKeysPresent.Select(k => new AdtechCell(k, state.AdtechName(k), state.StatusOf(k, entry.HasMemberData), state.AdtechId(k), state.AdtechLastResponse(k))).ToList()
            : [];
        var yaml = await YamlOfAsync(entry.Path, cancellationToken);
        return new AudienceOverview(entry.Name, entry.State?.Description, entry.IsValid, entry.Issues, entry.HasMemberData, members, adtechs,
            entry.State?.SourceLastResponse, yaml, entry.State?.SourceSegment);
    }

    /// <summary>The file's text; none for a file too large to read (its issue says why).</summary>
    private async Task<string> YamlOfAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await bucket.ReadTextAsync(path, _maxBytes, cancellationToken))?.Text ?? "";
        }
        catch (BucketObjectTooLargeException)
        {
            return "";
        }
    }
}
