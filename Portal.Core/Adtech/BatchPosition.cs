namespace Portal.Core.Adtech;

/// <summary>
/// Where a batch stands in its upload: the export's key (the same in every run that resumes it), the batch's number
/// counted from 1, whether it is the last, and how many members the whole upload has when that is known. APIs with
/// upload sessions (Meta's <c>session</c>) quote these; the others ignore them. <paramref name="AudienceId"/> and
/// <paramref name="Connection"/> are the audience the batch goes to, when it exists before the batch is written, and the
/// connection it goes through: for APIs whose body names its destination account and audience, as Google's Data Manager
/// API does.
/// </summary>
public sealed record BatchPosition(string ExportKey, int Sequence, bool Last, long? EstimatedTotal = null, string? AudienceId = null,
    AdtechConnection? Connection = null);
