using Portal.Core.Jobs;

namespace Portal.Core.Uploads;

/// <summary>Why a file was refused.</summary>
public enum ImportRejection
{
    UnknownDataset,
    BadPartition,
    BadFileName,
    AlreadyImported,
    Empty,
    NoRows,
    Encoding,
    Header,
    FieldCount,
    Type,
    Reference,
    BadCsv,
    TooLarge,
}

/// <summary>
/// A file refused by a check: what is wrong, naming the line (1 is the header) and the column where there is one.
/// Importing the same file again cannot succeed, so the import job fails at once, without retries.
/// </summary>
public sealed class ImportRejectedException(string message, ImportRejection reason, long? line = null, string? column = null)
    : PermanentJobFailureException(message)
{
    public ImportRejection Reason { get; } = reason;

    /// <summary>The file's line the problem is on (1 is the header), when it is on one.</summary>
    public long? Line { get; } = line;

    /// <summary>The column's name, when the problem is in one.</summary>
    public string? Column { get; } = column;
}
