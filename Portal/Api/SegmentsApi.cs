using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Api;

/// <summary>The segments API (read-only, every signed-in user): list, get, and a sample of the members.</summary>
internal static class SegmentsApi
{
    public static RouteGroupBuilder MapSegmentsApi(this RouteGroupBuilder api)
    {
        var segments = api.MapGroup("/segments").WithTags("Segments");
        segments.MapGet("/", ListAsync)
            .WithSummary("List segments, a page at a time")
            .WithDescription("Sorted by name; `search` keeps segments whose name or description contains it (any case).");
        segments.MapGet("/{id:long}", GetAsync)
            .WithSummary("One segment: metadata, its rule, the SQL of the last refresh and the refresh history (oldest first, at most 100)");
        segments.MapGet("/{id:long}/sample_data", SampleAsync)
            .WithSummary("Up to 100 members (lowest user ids first) with name, email and city");
        return api;
    }

    private static async Task<Results<Ok<ApiPage<SegmentDto>>, ValidationProblem>> ListAsync(SegmentQueries queries, string? page, [FromQuery(Name = "per_page")] string? perPage,
        string? search, CancellationToken cancellationToken)
    {
        if (!ApiPaging.TryRead(page, perPage, out var paging, out var invalid))
        {
            return invalid;
        }

        var (items, total) = await queries.ListAsync(search, SegmentQueries.ByName, paging.Index, paging.PerPage, cancellationToken);
        return TypedResults.Ok(paging.Of(items.Select(SegmentDto.From).ToList(), total));
    }

    private static async Task<Results<Ok<SegmentDto>, NotFound<ApiMessage>>> GetAsync(long id, SegmentQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is { } segment ? TypedResults.Ok(SegmentDto.From(segment)) : NoSegment(id);

    private static async Task<Results<Ok<SampleDataDto>, NotFound<ApiMessage>>> SampleAsync(long id, SegmentQueries queries, CancellationToken cancellationToken)
    {
        if (await queries.GetAsync(id, cancellationToken) is null)
        {
            return NoSegment(id);
        }

        var rows = await queries.SampleAsync(id, SegmentQueries.SampleSize, cancellationToken);
        return TypedResults.Ok(new SampleDataDto(SegmentQueries.SampleColumns,
            rows.Select(r => new object[] { r.UserId, r.Name, r.Email, r.City, r.CityTier }).ToList()));
    }

    private static NotFound<ApiMessage> NoSegment(long id) => TypedResults.NotFound(new ApiMessage($"There is no segment {id}."));
}

internal sealed record SegmentRefDto(
    long Id,
    string SegmentName,
    long RuleId)
{
    public static List<SegmentRefDto> From(IEnumerable<SegmentRef> refs) => refs.Select(s => new SegmentRefDto(s.Id, s.Name, s.RuleId)).ToList();
}

internal sealed record SegmentRefreshDto(
    long Id,
    long? JobId,
    DateTime StartedAt,
    DateTime? FinishedAt,
    bool Succeeded,
    long? RowCount,
    long? DurationMs,
    string? Error);

/// <summary>A segment as the list and the detail give it; only the detail has the refresh history.</summary>
internal sealed record SegmentDto(
    long Id,
    string SegmentName,
    string? Description,
    string TableName,
    long RowCount,
    string? SqlQuery,
    DateTime? LastRefreshedAt,
    long? LastDurationMs,
    string Status,
    string? LastError,
    DateTime? StaleSince,
    RuleRefDto Rule,
    IReadOnlyList<SegmentRefDto> DependsOn,
    string? Operation,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SegmentRefreshDto>? History)
{
    public static SegmentDto From(SegmentOverview o) => From(o.Segment, o.Rule, o.DependsOn, null);

    public static SegmentDto From(SegmentDetail d) => From(d.Segment, d.Rule, d.DependsOn, d.History);

    private static SegmentDto From(Segment s, Rule rule, IEnumerable<SegmentRef> dependsOn, IEnumerable<SegmentHistoryPoint>? history) =>
        new(s.Id, s.Name, s.Description, s.TableName, s.RowCount, s.SqlQuery, s.LastRefreshedAt, s.LastDurationMs, PortalApi.Snake(s.Status),
            s.LastError, s.StaleSince, new RuleRefDto(rule.Id, rule.Name), SegmentRefDto.From(dependsOn), RulesApi.OperationName(rule.Operation),
            history?.Select(h => new SegmentRefreshDto(h.Id, h.JobId, h.StartedAt, h.FinishedAt, h.Succeeded, h.RowCount, h.DurationMs, h.Error)).ToList());
}

/// <summary>A sample of members: column names, then one array of values per member in that order.</summary>
internal sealed record SampleDataDto(
    IReadOnlyList<string> Columns,
    IReadOnlyList<object[]> Data);
