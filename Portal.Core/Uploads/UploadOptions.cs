namespace Portal.Core.Uploads;

/// <summary>The <c>Uploads</c> configuration section.</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>Rows per Parquet row group, and so per batch in memory while a file is read.</summary>
    public int RowGroupSize { get; set; } = 100_000;

    /// <summary>The largest file an upload may send (bytes).</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;
}
