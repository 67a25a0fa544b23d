using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Core.Uploads;

/// <summary>An upload handed to its import job: the job to watch (<see cref="JobNotifier"/>, <see cref="ImportedFileQueries.ForJobAsync"/>).</summary>
public sealed record StagedUpload(long JobId, string Dataset, string Partition, string FileName, long Bytes);

/// <summary>
/// What the Uploads page and <c>POST /api/uploads</c> call. Admins and Marketers import; the role is checked here, on
/// the server. The browser's or the request's stream is copied into the bucket as it arrives (never held whole in
/// memory), then the import runs as a background job.
/// </summary>
public sealed class UploadService(
    IBucket bucket,
    JobQueue queue,
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<UploadOptions> options)
{
    /// <summary>The largest upload accepted, in bytes.</summary>
    public long MaxUploadBytes => options.Value.MaxUploadBytes;

    /// <summary>
    /// Checks the dataset, partition and file name (and that the name was not imported into the dataset already, unless
    /// <paramref name="force"/>: then the import replaces that earlier file's rows and Parquet file), streams
    /// <paramref name="content"/> to <c>uploads/incoming/</c> in the bucket, reporting the bytes copied so far to
    /// <paramref name="progress"/>, and queues the import job.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A Viewer, or no one signed in.</exception>
    /// <exception cref="ImportRejectedException">Unknown dataset, bad partition or file name, a name already imported, or a file over the size limit.</exception>
    public async Task<StagedUpload> StageUploadAsync(ClaimsPrincipal user, string dataset, string? partition, string fileName, Stream content,
        IProgress<long>? progress = null, bool force = false, CancellationToken cancellationToken = default)
    {
        user.RequireOperator(force ? "re-import files" : "import files");
        var (schema, normalized) = DatasetCatalog.Resolve(dataset, partition, fileName);
        if (!force)
        {
            await EarlierImports.RejectIfImportedAsync(dbFactory, schema.Name, fileName, cancellationToken);
        }

        var path = DatasetFiles.NewUploadPath(fileName);
        long bytes = 0;
        var limit = options.Value.MaxUploadBytes;
        await bucket.WriteAsync(path, async (target, ct) =>
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await content.ReadAsync(buffer, ct)) > 0)
            {
                bytes += read;
                if (bytes > limit)
                {
                    throw new ImportRejectedException($"The file is larger than the {ByteSize.Describe(limit)} an upload may be.",
                        ImportRejection.TooLarge);
                }

                await target.WriteAsync(buffer.AsMemory(0, read), ct);
                progress?.Report(bytes);
            }
        }, cancellationToken);

        try
        {
            var job = await queue.EnqueueAsync(DatasetImportJob.Kind, user,
                DatasetImportJob.PayloadFor(new DatasetImportPayload(schema.Name, normalized, fileName, path, Force: force)),
                $"{(force ? "Re-import" : "Import")} {fileName} into {schema.Name} ({normalized})", cancellationToken: cancellationToken);
            return new StagedUpload(job.Id, schema.Name, normalized, fileName, bytes);
        }
        catch
        {
            await bucket.DeleteAsync(path, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Queues a pass over the drop folder now (operators).</summary>
    public async Task<long> ScanDropFolderAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        user.RequireOperator("import files");
        var job = await queue.EnqueueAsync(DropFolderScanJob.Kind, user, cancellationToken: cancellationToken);
        return job.Id;
    }
}
