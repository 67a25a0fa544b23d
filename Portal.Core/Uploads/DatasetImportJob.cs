using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Audiences;
using Portal.Core.Jobs;

namespace Portal.Core.Uploads;

/// <summary>
/// The import job's input: the file in the bucket, where it goes, whether to delete it once imported or rejected, and
/// whether it replaces an earlier import of the same name (<see cref="ImportRequest.Force"/>).
/// </summary>
public sealed record DatasetImportPayload(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("partition")] string? Partition,
    [property: JsonPropertyName("file_name")] string FileName,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("delete_source")] bool DeleteSource = true,
    [property: JsonPropertyName("force")] bool Force = false);

/// <summary>
/// Imports one uploaded file (<see cref="DatasetImporter"/>) as a background job: progress is the share of the file's
/// bytes read (the last tenth is storing, loading and committing), with rows and megabytes in the message. A rejected
/// file fails the job at once with the reason (no retries: the same file would be rejected again); any other failure
/// is retried, and the uploaded file is kept for that. The uploaded copy is deleted once imported or rejected. Only a
/// file staged by an upload in <see cref="DatasetFiles.UploadsFolder"/> is read or deleted; any other path fails the job
/// before anything is touched.
/// </summary>
public sealed class DatasetImportJob(DatasetImporter importer, IBucket bucket) : IJobHandler
{
    public const string Kind = "uploads.dataset-import";
    public const string DisplayName = "Import a dataset file";

    /// <summary>Progress steps: a job's progress is done of this many.</summary>
    internal const int Steps = 1000;

    public static string PayloadFor(DatasetImportPayload payload) => JsonSerializer.Serialize(payload);

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<DatasetImportPayload>(job.Payload ?? "")
            ?? throw new PermanentJobFailureException("The job has no file to import.");
        if (DatasetFiles.SourcePathProblem(ImportSource.Upload, payload.Path) is { } problem)
        {
            throw new PermanentJobFailureException(problem); // before the file is read, and so before it could be deleted
        }

        var file = await importer.ImportAsync(
            new ImportRequest(payload.Dataset, payload.Partition, payload.FileName, payload.Path, job.RequestedBy, ImportSource.Upload, job.Id, Force: payload.Force),
            (p, ct) => job.ReportAsync(StepOf(p), Steps, Describe(payload.FileName, p), ct), cancellationToken);
        if (payload.DeleteSource)
        {
            await bucket.DeleteAsync(payload.Path, cancellationToken);
        }

        if (file.Status == ImportStatus.Rejected)
        {
            throw new PermanentJobFailureException(file.Error ?? "Rejected.");
        }

        await job.ReportAsync(Steps, Steps, Summary(file), cancellationToken);
    }

    internal static int StepOf(ImportProgress p) => p.Stage switch
    {
        "Reading" when p.BytesTotal is > 0 => (int)Math.Min(Steps * 9 / 10, Steps * 9 / 10 * p.BytesRead / p.BytesTotal.Value),
        "Reading" => 0,
        "Read" => Steps * 9 / 10,
        "Imported" => Steps,
        _ => Steps * 95 / 100,
    };

    internal static string Describe(string fileName, ImportProgress p)
    {
        if (p.Stage is not ("Reading" or "Read"))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{fileName}: {p.Stage.ToLowerInvariant()} ({p.RowsRead:N0} rows)");
        }

        var of = p.BytesTotal is { } total ? " of " + Megabytes(total) : "";
        return string.Create(CultureInfo.InvariantCulture, $"{fileName}: {p.RowsRead:N0} rows read ({Megabytes(p.BytesRead)}{of})");
    }

    /// <summary>One line for the job's last message and the scan's: rows kept, and dropped by reason.</summary>
    public static string Summary(ImportedFile f) => string.Create(CultureInfo.InvariantCulture,
        $"{f.FileName}: kept {f.RowsKept:N0} of {f.RowsIn:N0} rows into {f.Dataset} ({f.Partition}); dropped {f.DroppedDuplicate:N0} duplicate, "
        + $"{f.DroppedMissing:N0} missing a value, {f.DroppedExistingKey:N0} already stored");

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MB");
}
