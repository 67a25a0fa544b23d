namespace Portal.Core.Audiences;

/// <summary>What the index keeps of one state file, made from the file as the catalog read it.</summary>
public static class AudienceIndexRows
{
    /// <summary>
    /// The row for <paramref name="entry"/>, listed as <paramref name="file"/>, with its member data as listed
    /// (<paramref name="data"/>, null when there is none) and the members counted in it.
    /// </summary>
    public static AudienceIndexRow From(CatalogEntry entry, BucketItem file, BucketItem? data, long? members, DateTime now)
    {
        var state = entry.State;
        var hasData = data is not null;
        var source = state?.SourceLastResponse;
        var row = new AudienceIndexRow
        {
            Path = entry.Path,
            Name = entry.Name,
            Description = state?.Description,
            Country = state?.CountrySetting,
            SourceKind = state?.SourceSegment is not null ? AudienceSourceKind.Segment
                : state?.SourceEndpoint is not null ? AudienceSourceKind.Endpoint : AudienceSourceKind.None,
            Source = state?.SourceSegment ?? state?.SourceEndpoint,
            SourceResponseDate = source?.Date,
            SourceResponseStatus = source?.Status,
            SourceResponseMessage = source?.Message,
            IsValid = entry.IsValid,
            IssueCount = entry.Issues.Count,
            FirstIssue = entry.Issues.Count > 0 ? entry.Issues[0].ToString() : null,
            HasMemberData = hasData,
            Members = members,
            Hash = entry.Version,
            Size = file.Size,
            ModifiedUtc = Stored(file.LastModified),
            DataSize = data?.Size,
            DataModifiedUtc = data is null ? null : Stored(data.LastModified),
            IndexedUtc = now,
        };
        if (state is not null)
        {
            var position = 0;
            foreach (var key in state.AdtechKeysPresent)
            {
                var response = state.AdtechLastResponse(key);
                row.Adtechs.Add(new AudienceIndexAdtech
                {
                    Position = position++,
                    Key = key,
                    Name = state.AdtechName(key),
                    ExternalId = state.AdtechId(key),
                    Status = state.StatusOf(key, hasData),
                    ResponseDate = response?.Date,
                    ResponseStatus = response?.Status,
                    ResponseMessage = response?.Message,
                });
            }
        }

        return row;
    }

    /// <summary>
    /// A time as every database keeps it: whole microseconds (PostgreSQL's precision), so that a file's listed time
    /// compares equal to the stored one and an unchanged file is not read again.
    /// </summary>
    public static DateTime Stored(DateTime time) =>
        new(time.Ticks - time.Ticks % (TimeSpan.TicksPerMillisecond / 1000), DateTimeKind.Utc);
}
