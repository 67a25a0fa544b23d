using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Portal.Core.Accounts;
using Portal.Core.Uploads;

namespace Portal.Api;

/// <summary>
/// Uploads: send a CSV file into a dataset (operators), read the catalog of imports, the datasets' schemas and
/// their data health, and the campaign aggregate. The file is streamed into the bucket as it arrives and imported
/// by a background job; the answer is the job to watch.
/// </summary>
internal static class UploadsApi
{
    public static RouteGroupBuilder MapUploadsApi(this RouteGroupBuilder api)
    {
        var uploads = api.MapGroup("/uploads").WithTags("Uploads");
        uploads.MapPost("/", UploadAsync)
            .RequireAuthorization(Policies.Operator)
            .WithMetadata(new RequestSizeLimitAttribute(
                ((IEndpointRouteBuilder)api).ServiceProvider.GetRequiredService<IOptions<UploadOptions>>().Value.MaxUploadBytes + ApiLimits.MultipartAllowanceBytes))
            .WithMetadata(new BodyLimitMiddleware.TooLargeAnswer(TooLarge))
            .WithSummary("Upload a CSV file into a dataset (operators): queues its import, or with force=true its re-import")
            .WithDescription("Either the raw file as the body (`Content-Type: text/csv`) with `dataset`, `partition` (a quarter like 2024-Q1 for "
                + "impressions, clicks and conversions; empty otherwise) and `file_name` in the query, or `multipart/form-data` with those fields "
                + "before one file part (its file name is used when `file_name` is not given). Streamed, never held in memory. Answers 202 with "
                + "the import job's id; the job's outcome and the catalog (`GET /api/uploads`) say what was kept. 400 for an unknown dataset, a bad "
                + "partition or file name; 409 when a file of that name was already imported into the dataset, unless `force` is `true`: then the "
                + "file replaces that earlier import, all or nothing (its rows leave the dataset's table, its Parquet file and, for impressions, clicks "
                + "and conversions, the quarter's campaign aggregate are recomputed without it; it must go into the same partition; audited as "
                + "`upload.reimported`); 413 `{message, reason: too_large}` naming the limit met: "
                + $"a file over Uploads:MaxUploadBytes, a body over that plus {ByteSize.Describe(ApiLimits.MultipartAllowanceBytes)} for the form, a form field longer than "
                + $"{ApiLimits.FormFieldChars:N0} characters or more than {ApiLimits.FormFieldCount} fields.")
            .Accepts<IFormFile>("multipart/form-data", "text/csv", "text/plain", "application/octet-stream")
            .Produces<UploadAcceptedDto>(StatusCodes.Status202Accepted)
            .Produces<UploadProblemDto>(StatusCodes.Status400BadRequest)
            .Produces<UploadProblemDto>(StatusCodes.Status409Conflict)
            .Produces<UploadProblemDto>(StatusCodes.Status413PayloadTooLarge)
            .Produces(StatusCodes.Status403Forbidden);
        uploads.MapGet("/", ListAsync)
            .WithSummary("The catalog of imported files, a page at a time, newest first")
            .WithDescription("Filters: `dataset`, `partition`, `status` (imported, rejected, failed), `search` (file name, who, error).");
        uploads.MapGet("/{id:long}", GetAsync).WithSummary("One file of the catalog");
        uploads.MapPost("/scan", ScanAsync)
            .RequireAuthorization(Policies.Operator)
            .WithSummary("Import the new files of the drop folder now (operators): queues the scan")
            .Produces<UploadAcceptedDto>(StatusCodes.Status202Accepted)
            .Produces(StatusCodes.Status403Forbidden);

        var datasets = api.MapGroup("/datasets").WithTags("Uploads");
        datasets.MapGet("/", DatasetsAsync).WithSummary("The datasets files can be imported into: columns, types, keys, partitioning, and what was imported");
        datasets.MapGet("/{name}/health", HealthAsync)
            .WithSummary("A dataset's data health per day: rows, share of missing values, duplicate rate, and flags")
            .WithDescription("Every day from the first to the last (`from` and `to`, yyyy-MM-dd, narrow it). The days are the rows' own UTC dates "
                + "where the dataset has a date column (users by `created_at`, the transactions by `transaction_date`; `days_by` names it) and "
                + "the day of the import otherwise (`days_by`: `import_day`); a rejected file counts on its import day only in the latter. Flags: `sudden_drop` (fewer rows "
                + "kept than half the median of the 7 days before), `spike` (more than twice their mean, with at least 3 days before), "
                + "`zero_day` (no rows kept on a day after the first day with rows, the last day included).");

        api.MapGet("/campaigns/{id:long}", CampaignAsync)
            .WithTags("Uploads")
            .WithSummary("A campaign's revenue and clicks per banner and quarter, and the banners to show")
            .WithDescription("`quarter` (like 2024-Q1) picks the quarter whose banners are chosen; the latest with data by default.");
        return api;
    }

    private static async Task<IResult> UploadAsync(HttpRequest request, UploadService uploads, ClaimsPrincipal user, string? dataset, string? partition,
        [FromQuery(Name = "file_name")] string? fileName, string? force, CancellationToken cancellationToken)
    {
        try
        {
            bool? forced = null;
            if (force is not null)
            {
                if (!bool.TryParse(force.Trim(), out var parsed))
                {
                    return TypedResults.BadRequest(new UploadProblemDto($"`force` is true or false, not '{Shortened(force)}'.", "bad_request"));
                }

                forced = parsed;
            }

            StagedUpload staged;
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
                if (string.IsNullOrEmpty(boundary))
                {
                    return TypedResults.BadRequest(new UploadProblemDto("The multipart body has no boundary.", "bad_request"));
                }

                var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                var reader = new MultipartReader(boundary, request.Body);
                StagedUpload? found = null;
                while (found is null && await MultipartParts.NextAsync(reader, cancellationToken) is { } section)
                {
                    if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                    {
                        continue;
                    }

                    if (disposition.IsFileDisposition())
                    {
                        var name = fileName ?? fields.GetValueOrDefault("file_name") ?? HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue
                            ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                        if (forced is null && fields.TryGetValue("force", out var field))
                        {
                            if (!bool.TryParse(field, out var parsed))
                            {
                                return TypedResults.BadRequest(new UploadProblemDto($"The form field `force` is true or false, not '{Shortened(field)}'.", "bad_request"));
                            }

                            forced = parsed;
                        }

                        found = await uploads.StageUploadAsync(user, dataset ?? fields.GetValueOrDefault("dataset") ?? "",
                            partition ?? fields.GetValueOrDefault("partition"), name, MultipartParts.Body(section, "the file part"), force: forced ?? false, cancellationToken: cancellationToken);
                    }
                    else if (disposition.IsFormDisposition())
                    {
                        var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                        if (fields.Count >= ApiLimits.FormFieldCount)
                        {
                            return TooLarge($"The form has more than the {ApiLimits.FormFieldCount} fields an upload may send before its file.");
                        }

                        if (await ReadFieldAsync(MultipartParts.Body(section, $"the form field '{Shortened(field)}'"), cancellationToken) is not { } value)
                        {
                            return TooLarge($"The form field '{Shortened(field)}' is longer than the {ApiLimits.FormFieldChars:N0} characters a field may be.");
                        }

                        fields[field] = value;
                    }
                }

                if (found is null)
                {
                    return TypedResults.BadRequest(new UploadProblemDto("The multipart body has no file part.", "bad_request"));
                }

                staged = found;
            }
            else
            {
                staged = await uploads.StageUploadAsync(user, dataset ?? "", partition, fileName ?? "", request.Body, force: forced ?? false,
                    cancellationToken: cancellationToken);
            }

            return TypedResults.Accepted($"/api/jobs/{staged.JobId}",
                new UploadAcceptedDto(forced == true ? "The file was received; its re-import is queued." : "The file was received; its import is queued.", staged.JobId, staged.Dataset, staged.Partition, staged.FileName, staged.Bytes));
        }
        catch (MultipartParts.MalformedException ex)
        {
            return TypedResults.BadRequest(new UploadProblemDto(ex.Message, "bad_request"));
        }
        catch (ImportRejectedException ex)
        {
            var body = new UploadProblemDto(ex.Message, PortalApi.Snake(ex.Reason));
            return ex.Reason switch
            {
                ImportRejection.AlreadyImported => TypedResults.Conflict(body),
                ImportRejection.TooLarge => TooLarge(ex.Message),
                _ => TypedResults.BadRequest(body),
            };
        }
    }

    /// <summary>A form field's text, trimmed; null when it is longer than <see cref="ApiLimits.FormFieldChars"/> (the rest is not read).</summary>
    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(body);
        var buffer = new char[ApiLimits.FormFieldChars + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await text.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > ApiLimits.FormFieldChars ? null : new string(buffer, 0, length).Trim();
    }

    /// <summary>Every 413 of the route, whichever limit was met (the file's, a form field's, the body's): <c>{message, reason: "too_large"}</c>.</summary>
    private static JsonHttpResult<UploadProblemDto> TooLarge(string message) =>
        TypedResults.Json(new UploadProblemDto(message, PortalApi.Snake(ImportRejection.TooLarge)), statusCode: StatusCodes.Status413PayloadTooLarge);

    private static string Shortened(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static async Task<Results<Ok<ApiPage<ImportedFileDto>>, ValidationProblem, ProblemHttpResult>> ListAsync(ImportedFileQueries queries,
        string? page, [FromQuery(Name = "per_page")] string? perPage, string? dataset, string? partition, string? status, string? search, CancellationToken cancellationToken)
    {
        if (!ApiPaging.TryRead(page, perPage, out var paging, out var invalid))
        {
            return invalid;
        }

        ImportStatus? wanted = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!Enum.TryParse<ImportStatus>(status.Trim(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return TypedResults.Problem($"Unknown status '{status}'. Use imported, rejected, failed or replaced.", statusCode: StatusCodes.Status400BadRequest);
            }

            wanted = parsed;
        }

        var (items, total) = await queries.ListAsync(new ImportedFileFilter(dataset, partition, wanted, search), ImportedFileQueries.Newest, paging.Index,
            paging.PerPage, cancellationToken);
        return TypedResults.Ok(paging.Of(items.Select(ImportedFileDto.From).ToList(), total));
    }

    private static async Task<Results<Ok<ImportedFileDto>, NotFound<ApiMessage>>> GetAsync(long id, ImportedFileQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is { } file
            ? TypedResults.Ok(ImportedFileDto.From(file))
            : TypedResults.NotFound(new ApiMessage($"There is no imported file {id}."));

    private static async Task<Accepted<UploadAcceptedDto>> ScanAsync(UploadService uploads, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var job = await uploads.ScanDropFolderAsync(user, cancellationToken);
        return TypedResults.Accepted($"/api/jobs/{job}", new UploadAcceptedDto("The drop folder scan is queued.", job, null, null, null, 0));
    }

    private static async Task<Ok<List<DatasetDto>>> DatasetsAsync(ImportedFileQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok((await queries.DatasetsAsync(cancellationToken)).Select(DatasetDto.From).ToList());

    private static async Task<Results<Ok<DatasetHealthDto>, NotFound<ApiMessage>, ProblemHttpResult>> HealthAsync(string name, string? from, string? to,
        DatasetHealthQueries health, CancellationToken cancellationToken)
    {
        if (DatasetCatalog.Find(name) is not { } schema)
        {
            return TypedResults.NotFound(new ApiMessage($"There is no dataset '{name}'."));
        }

        if (!TryDay(from, out var fromDay) || !TryDay(to, out var toDay))
        {
            return TypedResults.Problem("`from` and `to` are days written like 2026-01-31.", statusCode: StatusCodes.Status400BadRequest);
        }

        var series = await health.SeriesAsync(schema.Name, fromDay, toDay, cancellationToken);
        return TypedResults.Ok(new DatasetHealthDto(series.Dataset, series.DateColumn ?? "import_day", series.Days.Select(DatasetHealthDayDto.From).ToList()));
    }

    private static async Task<Results<Ok<CampaignDto>, NotFound<ApiMessage>>> CampaignAsync(long id, string? quarter, CampaignRevenueQueries campaigns,
        CancellationToken cancellationToken)
    {
        var report = await campaigns.ForCampaignAsync(id, string.IsNullOrWhiteSpace(quarter) ? null : quarter.Trim().ToUpperInvariant(), cancellationToken);
        return report is null
            ? TypedResults.NotFound(new ApiMessage($"There is no revenue data for campaign {id}."))
            : TypedResults.Ok(new CampaignDto(report.CampaignId, report.Quarter, report.Banners,
                report.Rows.Select(r => new CampaignRowDto(r.BannerId, r.Quarter, r.Revenue, r.Clicks)).ToList()));
    }

    private static bool TryDay(string? text, out DateOnly? day)
    {
        day = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            day = parsed;
            return true;
        }

        return false;
    }
}

internal sealed record UploadAcceptedDto(
    string Message,
    long JobId,
    string? Dataset,
    string? Partition,
    string? FileName,
    long Bytes);

/// <summary>Why an upload was refused: the message (naming line and column where there is one) and the reason's code.</summary>
internal sealed record UploadProblemDto(string Message, string Reason);

internal sealed record ImportedFileDto(
    long Id,
    string Dataset,
    string Partition,
    string FileName,
    string Status,
    string Source,
    long RowsIn,
    long RowsKept,
    long DroppedDuplicate,
    long DroppedMissing,
    long DroppedExistingKey,
    string? Checksum,
    long SizeBytes,
    string? StoredPath,
    string? Error,
    long? ErrorLine,
    string? ErrorColumn,
    string ImportedBy,
    DateTime ImportedAt,
    long DurationMs,
    long? JobId)
{
    public static ImportedFileDto From(ImportedFile f) => new(f.Id, f.Dataset, f.Partition, f.FileName, PortalApi.Snake(f.Status),
        PortalApi.Snake(f.Source), f.RowsIn, f.RowsKept, f.DroppedDuplicate, f.DroppedMissing, f.DroppedExistingKey, f.Checksum, f.SizeBytes,
        f.StoredPath, f.Error, f.ErrorLine, f.ErrorColumn, f.ImportedBy, f.ImportedAt, f.DurationMs, f.JobId);
}

internal sealed record DatasetColumnDto(
    string Name,
    string Type,
    bool Required,
    bool Key,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description);

internal sealed record DatasetDto(
    string Name,
    string DisplayName,
    string Description,
    string Partition,
    string? Table,
    IReadOnlyList<DatasetColumnDto> Columns,
    int FilesImported,
    int FilesRejected,
    long Rows,
    DateTime? LastImportedAt,
    IReadOnlyList<string> Partitions)
{
    public static DatasetDto From(DatasetSummary d) => new(d.Schema.Name, d.Schema.DisplayName, d.Schema.Description,
        d.Schema.Partition == PartitionKind.Quarter ? "quarter" : "none", d.Schema.Table,
        d.Schema.Columns.Select(c => new DatasetColumnDto(c.Name, c.Type.ToString(), c.Required, c.Key, c.Description)).ToList(),
        d.FilesImported, d.FilesRejected, d.RowsKept, d.LastImportedAt, d.Partitions);
}

internal sealed record DatasetHealthDayDto(
    string Day,
    int FilesImported,
    int FilesRejected,
    long RowsIn,
    long RowsKept,
    double MissingShare,
    double DuplicateRate,
    double? TrailingMedian,
    IReadOnlyList<string> Flags)
{
    public static DatasetHealthDayDto From(DatasetHealthPoint p) => new(p.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.FilesImported,
        p.FilesRejected, p.RowsIn, p.RowsKept, p.MissingShare, p.DuplicateRate, p.TrailingMedian,
        Enum.GetValues<HealthFlags>().Where(f => f != HealthFlags.None && p.Flags.HasFlag(f)).Select(f => PortalApi.Snake(f)).ToList());
}

/// <summary>A dataset's health days; <c>days_by</c> is the date column they count rows by, or <c>import_day</c>.</summary>
internal sealed record DatasetHealthDto(
    string Dataset,
    string DaysBy,
    IReadOnlyList<DatasetHealthDayDto> Days);

internal sealed record CampaignRowDto(
    long BannerId,
    string Quarter,
    double Revenue,
    long Clicks);

internal sealed record CampaignDto(
    long CampaignId,
    string? Quarter,
    IReadOnlyList<long> Banners,
    IReadOnlyList<CampaignRowDto> Rows);
