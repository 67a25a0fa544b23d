namespace Portal.Core.Adtech;

/// <summary>
/// Where a batch stands in its upload: the export's key (the same in every run that resumes it), the batch's number
/// counted from 1, whether it is the last, and how many members the whole upload has when that is known. APIs with
/// upload sessions (Meta's <c>session</c>) quote these; the others ignore them.
/// </summary>
public sealed record BatchPosition(string ExportKey, int Sequence, bool Last, long? EstimatedTotal = null);
