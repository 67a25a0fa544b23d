namespace Portal.Core.Uploads;

/// <summary>What an import is doing, for a progress bar: rows and bytes read so far, out of the file's size when known.</summary>
public sealed record ImportProgress(string Stage, long RowsRead, long BytesRead, long? BytesTotal);
