using System.Security.Claims;
using Portal.Core.Accounts;
using Portal.Core.Dashboard;
using Portal.Core.Jobs;

namespace Portal.Api;

/// <summary>
/// The REST API under <c>/api</c>. Every route needs a signed-in user (the fallback policy); commands also need a role,
/// checked both by the endpoint's policy and again by the service it calls.
/// </summary>
internal static class PortalApi
{
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization().DisableAntiforgery();

        api.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new
        {
            name = user.Identity?.Name,
            roles = Roles.All.Where(user.IsInRole).ToArray(),
        }));

        var jobs = api.MapGroup("/jobs");
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
        });
        jobs.MapGet("/{id:long}", async (long id, JobQueries queries) =>
            await queries.GetAsync(id) is { } job ? Results.Ok(JobDto.From(job)) : Results.NotFound());
        jobs.MapGet("/counts", async (JobQueries queries) => TypedResults.Ok(await queries.CountsAsync()));
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
        }).RequireAuthorization(Policies.RunJobs);
        jobs.MapPost("/{id:long}/cancel", async (long id, JobQueue queue, ClaimsPrincipal user) =>
            await queue.CancelAsync(id, user) ? Results.NoContent() : Results.Conflict(new { message = $"Job {id} is not queued or running." }))
            .RequireAuthorization(Policies.RunJobs);
        jobs.MapPost("/{id:long}/retry", async (long id, JobQueue queue, ClaimsPrincipal user) =>
            await queue.RetryAsync(id, user) ? Results.NoContent() : Results.Conflict(new { message = $"Job {id} is not failed or cancelled." }))
            .RequireAuthorization(Policies.RunJobs);

        api.MapGet("/dashboard/totals", async (DashboardQueries dashboard) =>
            await dashboard.TotalsAsync() is { } totals
                ? Results.Ok(new { totals.Users, totals.CreditCardTransactions, totals.UpiTransactions, totals.Transactions, totals.TotalSpend, totals.ComputedAt })
                : Results.NotFound(new { message = "Totals have not been computed yet." }));
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
}

internal sealed record EnqueueRequest(string Kind, string? Payload = null, string? Title = null);

internal sealed record JobDto(long Id, string Kind, string Title, string Status, int ProgressDone, int ProgressTotal, string? ProgressMessage,
    int Attempts, int MaxAttempts, string? Error, string RequestedBy, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    public static JobDto From(JobRecord j) => new(j.Id, j.Kind, j.Title, j.Status.ToString(), j.ProgressDone, j.ProgressTotal, j.ProgressMessage,
        j.Attempts, j.MaxAttempts, j.Error, j.RequestedBy, j.CreatedAt, j.StartedAt, j.FinishedAt);
}
