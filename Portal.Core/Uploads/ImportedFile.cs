namespace Portal.Core.Uploads;

public enum ImportStatus
{
    /// <summary>Checked, stored as Parquet under <c>datasets/</c>, loaded and counted.</summary>
    Imported,

    /// <summary>Refused by a check (header, type, encoding, empty, name already imported): retrying the same file cannot help.</summary>
    Rejected,

    /// <summary>Stopped by something else (the database, the bucket); nothing was kept, and the job retries it.</summary>
    Failed,

    /// <summary>Imported, then replaced by a forced re-import of a file with the same name: its rows and Parquet file are gone.</summary>
    Replaced,
}

/// <summary>Where the file came from.</summary>
public enum ImportSource
{
    /// <summary>Uploaded on the page or through <c>POST /api/uploads</c>.</summary>
    Upload,

    /// <summary>Found in the bucket's drop folder (<c>incoming/&lt;dataset&gt;/&lt;partition&gt;/</c>) by the scan.</summary>
    DropFolder,
}

/// <summary>
/// A row of <c>imported_files</c>, the catalog of imports: one per file and outcome. Rows in, kept and
/// dropped by reason; a rejection's message names the line and column. A (dataset, file name) is imported once.
/// </summary>
public sealed class ImportedFile
{
    public long Id { get; set; }
    public required string Dataset { get; set; }
    public required string Partition { get; set; }
    public required string FileName { get; set; }

    /// <summary>The Parquet file in the bucket (<c>datasets/&lt;name&gt;/&lt;partition&gt;/&lt;stem&gt;.parquet</c>) once imported.</summary>
    public string? StoredPath { get; set; }

    /// <summary>SHA-256 of the file's bytes, lower-case hex; null when the file could not be read at all.</summary>
    public string? Checksum { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>Data rows read (the header not counted).</summary>
    public long RowsIn { get; set; }

    public long RowsKept { get; set; }

    /// <summary>Rows equal to an earlier row of the same file.</summary>
    public long DroppedDuplicate { get; set; }

    /// <summary>Rows without a value in a required column.</summary>
    public long DroppedMissing { get; set; }

    /// <summary>Rows whose key is already stored in the partition (or the table), or was kept earlier in the same file.</summary>
    public long DroppedExistingKey { get; set; }

    /// <summary>Empty values in the rows read, over every cell of them (for data health).</summary>
    public long MissingValues { get; set; }

    public ImportStatus Status { get; set; }
    public ImportSource Source { get; set; }

    /// <summary>Why it was rejected or failed; a check's message names the line and the column.</summary>
    public string? Error { get; set; }

    /// <summary>The line of the file a rejection points at (1 is the header), when it points at one.</summary>
    public long? ErrorLine { get; set; }

    /// <summary>The column a rejection points at, by name.</summary>
    public string? ErrorColumn { get; set; }

    public required string ImportedBy { get; set; }

    /// <summary>When the import finished (its outcome was recorded).</summary>
    public DateTime ImportedAt { get; set; }

    public long DurationMs { get; set; }
    public long? JobId { get; set; }

    /// <summary>The drop-folder file's last change when it was imported: the scan retries a rejected file once it changes.</summary>
    public DateTime? SourceModifiedAt { get; set; }

    public long DroppedTotal => DroppedDuplicate + DroppedMissing + DroppedExistingKey;
}
