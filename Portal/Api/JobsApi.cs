using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Portal.Core.Accounts;
using Portal.Core.Jobs;

namespace Portal.Api;

/// <summary>
/// Jobs: list and read them (every signed-in user); start, cancel and retry them (operators). Only the kinds people may
/// start (<see cref="JobKind.StartableByPeople"/>) can be started here, each with the payload its rule takes; internal
/// kinds (an upload's import, a rule's refresh) are queued by the code that owns them.
/// </summary>
internal static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder api)
    {
        var startable = ((IEndpointRouteBuilder)api).ServiceProvider.GetServices<JobKind>().Where(k => k.StartableByPeople).OrderBy(k => k.Kind, StringComparer.Ordinal).ToList();
        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/", ListAsync)
            .WithSummary("List jobs, newest first, filtered by status (comma-separated) and kind")
            .WithDescription($"`page` from 1; `per_page` from 1 to {ApiPaging.MaxPerPage} ({ApiPaging.DefaultPerPage} by default), as the other lists. Anything else answers 400 naming the parameter.");
        jobs.MapGet("/{id:long}", async (long id, JobQueries queries) =>
            await queries.GetAsync(id) is { } job ? Results.Ok(JobDto.From(job)) : Results.NotFound())
            .WithSummary("One job").Produces<JobDto>().Produces(StatusCodes.Status404NotFound);
        jobs.MapGet("/counts", async (JobQueries queries) => TypedResults.Ok(await queries.CountsAsync()))
            .WithSummary("Queued and running jobs, and failures today");
        jobs.MapPost("/", StartAsync)
            .RequireAuthorization(Policies.RunJobs)
            .WithSummary($"Start a job (operators): {string.Join(", ", startable.Select(k => k.Kind))}")
            .WithDescription(Describe(startable))
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                if (operation.RequestBody?.Content?.TryGetValue("application/json", out var json) == true)
                {
                    json.Schema = RequestSchema(startable);
                }

                return Task.CompletedTask;
            })
            .Produces(StatusCodes.Status403Forbidden);
        jobs.MapPost("/{id:long}/cancel", async (long id, JobQueue queue, ClaimsPrincipal user) =>
            await queue.CancelAsync(id, user) ? Results.NoContent() : Results.Conflict(new ApiMessage($"Job {id} is not queued or running.")))
            .RequireAuthorization(Policies.RunJobs)
            .WithSummary("Cancel a queued or running job (operators)").Produces(StatusCodes.Status204NoContent).Produces<ApiMessage>(StatusCodes.Status409Conflict);
        jobs.MapPost("/{id:long}/retry", async (long id, JobQueue queue, ClaimsPrincipal user) =>
            await queue.RetryAsync(id, user) ? Results.NoContent() : Results.Conflict(new ApiMessage($"Job {id} is not failed or cancelled.")))
            .RequireAuthorization(Policies.RunJobs)
            .WithSummary("Run a failed or cancelled job again (operators)").Produces(StatusCodes.Status204NoContent).Produces<ApiMessage>(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<Results<Ok<ApiPage<JobDto>>, ValidationProblem>> ListAsync(JobQueries queries, string? status, string? kind,
        [Description("Page number, from 1.")] string? page, [FromQuery(Name = "per_page"), Description("Jobs per page, 1 to 100 (10 by default).")] string? perPage)
    {
        if (!ApiPaging.TryRead(page, perPage, out var paging, out var invalid))
        {
            return invalid;
        }

        var statuses = ParseStatuses(status);
        if (statuses is null)
        {
            return ApiProblems.Invalid("status", $"Unknown status in '{status}'. Use any of: {string.Join(", ", Enum.GetNames<JobStatus>())}.");
        }

        var (items, total) = await queries.ListAsync(new JobFilter(statuses, kind), JobQueries.Newest, paging.Index, paging.PerPage);
        return TypedResults.Ok(paging.Of(items.Select(JobDto.From).ToList(), total));
    }

    private static async Task<Results<Created<JobDto>, ValidationProblem>> StartAsync(JobStartRequest request, JobQueue queue, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        try
        {
            var payload = request.Payload switch
            {
                null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
                { ValueKind: JsonValueKind.String } text => text.GetString(),
                { ValueKind: JsonValueKind.Object } json => json.GetRawText(),
                _ => throw new JobStartException("payload", "The payload must be a JSON object (or a string holding one)."),
            };
            var job = await queue.StartAsync(request.Kind, user, payload, request.Title, cancellationToken);
            return TypedResults.Created($"/api/jobs/{job.Id}", JobDto.From(job));
        }
        catch (JobStartException ex)
        {
            return ApiProblems.Invalid(ex.Field, ex.Message);
        }
    }

    private static string Describe(IEnumerable<JobKind> startable) =>
        "Starts one of the jobs people may start; any other kind (the portal's own, such as an upload's import) answers 400, as does a "
        + "payload the kind does not take. `payload` is a JSON object (or a string holding one). Kinds:\n\n"
        + string.Join("\n", startable.Select(k => $"- `{k.Kind}` ({k.DisplayName}): "
            + (k.StartRule!.TakesPayload ? $"payload {k.StartRule.PayloadDescription}" : "no payload")));

    /// <summary>The body's schema, with the kinds that can be started as an enum.</summary>
    private static OpenApiSchema RequestSchema(IEnumerable<JobKind> startable) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "kind" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["kind"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The kind of job: only these can be started by request.",
                Enum = [.. startable.Select(k => (JsonNode)JsonValue.Create(k.Kind))],
            },
            ["payload"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.String | JsonSchemaType.Null,
                Description = "The kind's input, when it takes one (see the description); refused for kinds that take none.",
            },
            ["title"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                MaxLength = JobQueue.MaxTitleLength,
                Description = "Shown in the jobs list instead of the kind's name.",
            },
        },
    };

    private static List<JobStatus>? ParseStatuses(string? text)
    {
        var result = new List<JobStatus>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<JobStatus>(part, ignoreCase: true, out var status) || !Enum.IsDefined(status))
            {
                return null;
            }

            result.Add(status);
        }

        return result;
    }
}

/// <summary>The body of <c>POST /api/jobs</c>.</summary>
internal sealed record JobStartRequest(string? Kind, JsonElement? Payload = null, string? Title = null);

internal sealed record JobDto(long Id, string Kind, string Title, string Status, int ProgressDone, int ProgressTotal, string? ProgressMessage,
    int Attempts, int MaxAttempts, string? Error, string RequestedBy, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    public static JobDto From(JobRecord j) => new(j.Id, j.Kind, j.Title, j.Status.ToString(), j.ProgressDone, j.ProgressTotal, j.ProgressMessage,
        j.Attempts, j.MaxAttempts, j.Error, j.RequestedBy, j.CreatedAt, j.StartedAt, j.FinishedAt);
}
