using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Audiences;

namespace Portal.Api;

/// <summary>The audiences API (read-only, every signed-in user): the audience index, a page at a time, and one audience.</summary>
internal static class AudiencesApi
{
    public static RouteGroupBuilder MapAudiencesApi(this RouteGroupBuilder api)
    {
        var audiences = api.MapGroup("/audiences").WithTags("Audiences");
        audiences.MapGet("/", ListAsync)
            .WithSummary("List audiences (the bucket's state files), a page at a time")
            .WithDescription("Sorted by name; `search` keeps audiences whose name, description or adtech contains it (any case); `status` is one of "
                + "any, pending, posted, not_fetched, failing, invalid. A file the portal cannot parse is listed with `valid: false` and its first issue.");
        audiences.MapGet("/{name}", GetAsync)
            .WithSummary("One audience: its source, member count, validity and its status at each adtech");
        return api;
    }

    private static async Task<Results<Ok<ApiPage<AudienceDto>>, ValidationProblem>> ListAsync(AudienceQueries queries, string? page,
        [FromQuery(Name = "per_page")] string? perPage, string? search, string? status, CancellationToken cancellationToken)
    {
        if (!ApiPaging.TryRead(page, perPage, out var paging, out var invalid))
        {
            return invalid;
        }

        var filter = AudienceFilter.Any;
        if (status is not null)
        {
            var chosen = Enum.GetValues<AudienceFilter>().Where(f => PortalApi.Snake(f) == status.Trim().ToLowerInvariant()).Cast<AudienceFilter?>().FirstOrDefault();
            if (chosen is null)
            {
                return ApiProblems.Invalid("status", $"'status' must be one of {string.Join(", ", Enum.GetValues<AudienceFilter>().Select(f => PortalApi.Snake(f)))}.");
            }

            filter = chosen.Value;
        }

        var (items, total) = await queries.ListAsync(search, filter, AudienceSort.Name, false, paging.Index * paging.PerPage, paging.PerPage, cancellationToken);
        return TypedResults.Ok(paging.Of(items.Select(AudienceDto.From).ToList(), total));
    }

    private static async Task<Results<Ok<AudienceDto>, NotFound<ApiMessage>>> GetAsync(string name, AudienceQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(name, cancellationToken) is { } audience
            ? TypedResults.Ok(AudienceDto.From(audience))
            : TypedResults.NotFound(new ApiMessage($"There is no audience '{name}'."));
}

internal sealed record AudienceAdtechDto(
    string Adtech,
    string? Name,
    string Status,
    string? AdtechAudienceId,
    string? LastResponseDate,
    int? LastResponseStatus,
    string? LastResponseMessage);

/// <summary>An audience as the index has it; <c>first_issue</c> says where an invalid file goes wrong.</summary>
internal sealed record AudienceDto(
    string Name,
    string? Description,
    bool Valid,
    int IssueCount,
    string? FirstIssue,
    string? SourceSegment,
    long? Members,
    IReadOnlyList<AudienceAdtechDto> Adtechs)
{
    public static AudienceDto From(AudienceOverview a) => new(a.Name, a.Description, a.IsValid, a.IssueCount, a.FirstIssue, a.SourceSegment, a.Members,
        a.Adtechs.Select(c => new AudienceAdtechDto(c.Key, c.Name, PortalApi.Snake(c.Status), c.Id, c.LastResponse?.Date, c.LastResponse?.Status,
            c.LastResponse?.Message)).ToList());
}
