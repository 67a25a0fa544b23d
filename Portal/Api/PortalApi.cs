using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Accounts;
using Portal.Core.Dashboard;
using Portal.Core.Jobs;

namespace Portal.Api;

/// <summary>
/// The REST API under <c>/api</c>. Every route needs a signed-in user (the fallback policy); commands also need a role,
/// checked both by the endpoint's policy and again by the service it calls. Antiforgery tokens are off: changes are
/// guarded by <see cref="ApiRequestProof"/> instead (a required header and a same-origin check).
/// </summary>
internal static class PortalApi
{
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization().DisableAntiforgery().WithMetadata(ApiRequestProof.Required)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(void)));

        api.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new MeDto(user.Identity?.Name, Roles.All.Where(user.IsInRole).ToArray())))
            .WithTags("Account").WithSummary("The signed-in user and their roles");

        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/", async (JobQueries queries, string? status, string? kind, int? page, int? perPage) =>
        {
            var statuses = ParseStatuses(status);
            if (statuses is null)
            {
                return Results.Problem($"Unknown status in '{status}'. Use any of: {string.Join(", ", Enum.GetNames<JobStatus>())}.", statusCode: 400);
            }

            var size = Math.Clamp(perPage ?? 25, 1, 200);
            var current = Math.Max(1, page ?? 1);
            var (items, total) = await queries.ListAsync(new JobFilter(statuses, kind), JobSort.Newest, current - 1, size);
            return Results.Ok(new { items = items.Select(JobDto.From), total, page = current, pages = (total + size - 1) / size });
        }).WithSummary("List jobs, newest first, filtered by status (comma-separated) and kind").Produces(StatusCodes.Status200OK).ProducesProblem(400);
        jobs.MapGet("/{id:long}", async (long id, JobQueries queries) =>
            await queries.GetAsync(id) is { } job ? Results.Ok(JobDto.From(job)) : Results.NotFound())
            .WithSummary("One job").Produces<JobDto>().Produces(StatusCodes.Status404NotFound);
        jobs.MapGet("/counts", async (JobQueries queries) => TypedResults.Ok(await queries.CountsAsync()))
            .WithSummary("Queued and running jobs, and failures today");
        jobs.MapPost("/", async (EnqueueRequest request, JobQueue queue, ClaimsPrincipal user) =>
        {
            try
            {
                var job = await queue.EnqueueAsync(request.Kind, user, request.Payload, request.Title);
                return Results.Created($"/api/jobs/{job.Id}", JobDto.From(job));
            }
            catch (ArgumentException ex)
            {
                return Results.Problem(ex.Message, statusCode: 400);
            }
        }).RequireAuthorization(Policies.RunJobs)
            .WithSummary("Queue a job (operators)").Produces<JobDto>(StatusCodes.Status201Created).ProducesProblem(400).Produces(StatusCodes.Status403Forbidden);
        jobs.MapPost("/{id:long}/cancel", async (long id, JobQueue queue, ClaimsPrincipal user) =>
            await queue.CancelAsync(id, user) ? Results.NoContent() : Results.Conflict(new ApiMessage($"Job {id} is not queued or running.")))
            .RequireAuthorization(Policies.RunJobs)
            .WithSummary("Cancel a queued or running job (operators)").Produces(StatusCodes.Status204NoContent).Produces<ApiMessage>(StatusCodes.Status409Conflict);
        jobs.MapPost("/{id:long}/retry", async (long id, JobQueue queue, ClaimsPrincipal user) =>
            await queue.RetryAsync(id, user) ? Results.NoContent() : Results.Conflict(new ApiMessage($"Job {id} is not failed or cancelled.")))
            .RequireAuthorization(Policies.RunJobs)
            .WithSummary("Run a failed or cancelled job again (operators)").Produces(StatusCodes.Status204NoContent).Produces<ApiMessage>(StatusCodes.Status409Conflict);

        api.MapGet("/dashboard/totals", async (DashboardQueries dashboard) =>
            await dashboard.TotalsAsync() is { } totals
                ? Results.Ok(new { totals.Users, totals.CreditCardTransactions, totals.UpiTransactions, totals.Transactions, totals.TotalSpend, totals.ComputedAt })
                : Results.NotFound(new ApiMessage("Totals have not been computed yet.")))
            .WithTags("Analytics").WithSummary("The dashboard's totals as last computed by the totals job")
            .Produces(StatusCodes.Status200OK).Produces<ApiMessage>(StatusCodes.Status404NotFound);

        api.MapRulesApi();
        api.MapSegmentsApi();
        api.MapAnalyticsApi();
        api.MapUploadsApi();
        return endpoints;
    }

    private static List<JobStatus>? ParseStatuses(string? text)
    {
        var result = new List<JobStatus>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<JobStatus>(part, ignoreCase: true, out var status))
            {
                return null;
            }

            result.Add(status);
        }

        return result;
    }

    /// <summary>An enum value as the API writes it: snake_case (<c>NeverRun</c> is <c>never_run</c>).</summary>
    internal static string Snake(Enum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

internal sealed record MeDto(string? Name, string[] Roles);

/// <summary>A one-line answer: <c>{"message": "..."}</c>.</summary>
internal sealed record ApiMessage([property: JsonPropertyName("message")] string Message);

/// <summary>Seed 001's page of a list: <c>{"items": [...], "total": 1, "page": 1, "pages": 1}</c>.</summary>
internal sealed record ApiPage<T>(
    [property: JsonPropertyName("items")] IReadOnlyList<T> Items,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("pages")] int Pages);

/// <summary>Seed 001's paging parameters: <c>page</c> from 1, <c>per_page</c> 10 by default and at most 100.</summary>
internal readonly record struct ApiPaging(int Page, int PerPage)
{
    public const int DefaultPerPage = 10;
    public const int MaxPerPage = 100;

    public static ApiPaging From(int? page, int? perPage) => new(Math.Max(1, page ?? 1), Math.Clamp(perPage ?? DefaultPerPage, 1, MaxPerPage));

    /// <summary>The 0-based page index the query services take.</summary>
    public int Index => Page - 1;

    public ApiPage<T> Of<T>(IReadOnlyList<T> items, int total) => new(items, total, Page, (total + PerPage - 1) / PerPage);
}

internal sealed record EnqueueRequest(string Kind, string? Payload = null, string? Title = null);

internal sealed record JobDto(long Id, string Kind, string Title, string Status, int ProgressDone, int ProgressTotal, string? ProgressMessage,
    int Attempts, int MaxAttempts, string? Error, string RequestedBy, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    public static JobDto From(JobRecord j) => new(j.Id, j.Kind, j.Title, j.Status.ToString(), j.ProgressDone, j.ProgressTotal, j.ProgressMessage,
        j.Attempts, j.MaxAttempts, j.Error, j.RequestedBy, j.CreatedAt, j.StartedAt, j.FinishedAt);
}
