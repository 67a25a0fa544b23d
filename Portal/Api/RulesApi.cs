using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Accounts;
using Portal.Core.Jobs;
using Portal.Core.Rules;
using Portal.Core.Segments;

namespace Portal.Api;

/// <summary>
/// The rules API (the shapes of the design's first seed): list, get, create, update, delete and trigger. Viewers read; operators (Admin, Marketer)
/// write, checked by the <see cref="Policies.Operator"/> policy here and again by <see cref="RuleService"/>.
/// </summary>
internal static class RulesApi
{
    public static RouteGroupBuilder MapRulesApi(this RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/rules").WithTags("Rules");
        rules.MapGet("/", ListAsync)
            .WithSummary("List rules, a page at a time")
            .WithDescription("Sorted by name; `search` keeps rules whose name or description contains it (any case).");
        rules.MapGet("/{id:long}", GetAsync)
            .WithSummary("One rule, with its conditions as stored (the versioned JSON object)");
        rules.MapPost("/", CreateAsync)
            .RequireAuthorization(Policies.Operator)
            .WithSummary("Create a rule (operators)")
            .WithDescription("`conditions` is the versioned object ({\"version\": 1, \"root\": {...}}) or a flat list of conditions, AND-ed "
                + "([{\"field\": \"total_spend\", \"operator\": \">\", \"value\": 100}]). `reuse_segments: true` asks the portal to reuse saved segments: when the conditions contain all of a saved rule's "
                + "top-level conditions (or one nested group equal to it), the rule is saved as that segment's INTERSECTION (AND) or UNION (OR) "
                + "with the remaining conditions: `depends_on` and `operation` are set and the covered conditions removed, the plan that "
                + "covers the most conditions winning; the answer's `reused_segment` says what was applied (null when nothing was). "
                + "Ignored when the body already gives `depends_on` or `operation`. 400 lists every problem on its condition; "
                + "409 when the name is taken.")
            .Produces(StatusCodes.Status403Forbidden);
        rules.MapPut("/{id:long}", UpdateAsync)
            .RequireAuthorization(Policies.Operator)
            .WithSummary("Replace a rule (operators)")
            .WithDescription("The body is the same as for creating (`reuse_segments` too, never reusing the rule's own segment). "
                + "With `version` (the one read), a save over someone else's newer save answers 409.")
            .Produces(StatusCodes.Status403Forbidden);
        rules.MapDelete("/{id:long}", DeleteAsync)
            .RequireAuthorization(Policies.Operator)
            .WithSummary("Delete a rule and its segment (operators)")
            .WithDescription("Refused with 409 and where the segment is used while other rules or audiences use it.")
            .Produces(StatusCodes.Status403Forbidden);
        rules.MapPost("/{id:long}/trigger", TriggerAsync)
            .RequireAuthorization(Policies.Operator)
            .WithSummary("Refresh the rule's segment now (operators): queues a background job")
            .WithDescription("Answers 202 with the job's id (and its URL under /api/jobs).")
            .Produces(StatusCodes.Status403Forbidden);
        return api;
    }

    private static async Task<Results<Ok<ApiPage<RuleDto>>, ValidationProblem>> ListAsync(RuleQueries queries, string? page, [FromQuery(Name = "per_page")] string? perPage,
        string? search, CancellationToken cancellationToken)
    {
        if (!ApiPaging.TryRead(page, perPage, out var paging, out var invalid))
        {
            return invalid;
        }

        var (items, total) = await queries.ListAsync(search, RuleQueries.ByName, paging.Index, paging.PerPage, cancellationToken);
        return TypedResults.Ok(paging.Of(items.Select(RuleDto.From).ToList(), total));
    }

    private static async Task<Results<Ok<RuleDto>, NotFound<ApiMessage>>> GetAsync(long id, RuleQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is { } rule ? TypedResults.Ok(RuleDto.From(rule)) : NoRule(id);

    private static async Task<Results<Created<RuleCreatedDto>, BadRequest<RuleProblemDto>, Conflict<RuleProblemDto>>> CreateAsync(
        RuleRequest request, RuleService rules, DependencyFinder finder, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (draft, invalid) = ReadDraft(request);
        if (invalid is not null)
        {
            return TypedResults.BadRequest(invalid);
        }

        var (planned, reused) = await ReuseAsync(request, draft!, null, finder, cancellationToken);
        var result = await rules.SaveAsync(null, planned, null, user, cancellationToken);
        if (result.Rule is { } rule)
        {
            return TypedResults.Created($"/api/rules/{rule.Id}", new RuleCreatedDto("Rule created successfully", rule.Id, reused));
        }

        return NameTaken(result) is { } taken ? TypedResults.Conflict(taken) : TypedResults.BadRequest(RuleProblemDto.Invalid(result.Issues));
    }

    private static async Task<Results<Ok<RuleUpdatedDto>, BadRequest<RuleProblemDto>, Conflict<RuleProblemDto>, NotFound<ApiMessage>>> UpdateAsync(
        long id, RuleRequest request, RuleService rules, RuleQueries queries, DependencyFinder finder, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await queries.GetAsync(id, cancellationToken) is null)
        {
            return NoRule(id);
        }

        var (draft, invalid) = ReadDraft(request);
        if (invalid is not null)
        {
            return TypedResults.BadRequest(invalid);
        }

        var (planned, reused) = await ReuseAsync(request, draft!, id, finder, cancellationToken);
        RuleSaveResult result;
        try
        {
            result = await rules.SaveAsync(id, planned, request.Version, user, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            return NoRule(id);
        }

        if (result.Saved)
        {
            return TypedResults.Ok(new RuleUpdatedDto("Rule updated successfully", reused));
        }

        if (result.Conflict)
        {
            return TypedResults.Conflict(new RuleProblemDto("Someone else saved this rule after you read it.", RuleIssueDto.From(result.Issues)));
        }

        return NameTaken(result) is { } taken ? TypedResults.Conflict(taken) : TypedResults.BadRequest(RuleProblemDto.Invalid(result.Issues));
    }

    private static async Task<Results<Ok<ApiMessage>, Conflict<RuleInUseDto>, NotFound<ApiMessage>>> DeleteAsync(
        long id, RuleService rules, RuleQueries queries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await queries.GetAsync(id, cancellationToken) is null)
        {
            return NoRule(id);
        }

        WhereUsed used;
        try
        {
            used = await rules.DeleteAsync(id, user, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            return NoRule(id);
        }

        return used.IsUsed
            ? TypedResults.Conflict(new RuleInUseDto("The rule's segment is used elsewhere; remove those uses first.", WhereUsedDto.From(used)))
            : TypedResults.Ok(new ApiMessage("Rule deleted successfully"));
    }

    private static async Task<Results<Accepted<RuleTriggeredDto>, NotFound<ApiMessage>>> TriggerAsync(
        long id, RuleQueries queries, JobQueue queue, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await queries.GetAsync(id, cancellationToken) is not { } rule)
        {
            return NoRule(id);
        }

        var job = await queue.EnqueueRefreshAsync(id, rule.Rule.Name, user, cancellationToken);
        return TypedResults.Accepted($"/api/jobs/{job.Id}", new RuleTriggeredDto("Rule trigger has been scheduled", job.Id));
    }

    /// <summary>
    /// With <c>reuse_segments: true</c>, the draft rewritten to the dependency finder's best plan (the editor's
    /// "Apply this plan") and what it reuses; otherwise the draft as it came.
    /// </summary>
    private static async Task<(RuleDraft Draft, ReusedSegmentDto? Reused)> ReuseAsync(RuleRequest request, RuleDraft draft, long? ruleId,
        DependencyFinder finder, CancellationToken cancellationToken)
    {
        if (request.ReuseSegments != true || await finder.FindAsync(draft, ruleId, cancellationToken) is not [var best, ..])
        {
            return (draft, null);
        }

        return (DependencyFinder.Apply(draft, best), ReusedSegmentDto.From(best));
    }

    private static NotFound<ApiMessage> NoRule(long id) => TypedResults.NotFound(new ApiMessage($"There is no rule {id}."));

    /// <summary>The request as a draft, or the problems that keep it from being one (unreadable conditions, unknown operation).</summary>
    private static (RuleDraft? Draft, RuleProblemDto? Problem) ReadDraft(RuleRequest request)
    {
        var issues = new List<RuleIssueDto>();
        ConditionNode? root = null;
        if (request.Conditions is not { ValueKind: JsonValueKind.Object or JsonValueKind.Array } conditions)
        {
            issues.Add(new(null, "conditions", "Give the conditions: the versioned object, or a list of {field, operator, value}."));
        }
        else
        {
            try
            {
                root = ConditionJson.Read(conditions.GetRawText());
            }
            catch (ConditionFormatException ex)
            {
                issues.Add(new(null, ex.Path.StartsWith('[') ? "conditions" + ex.Path : "conditions." + ex.Path, ex.Message));
            }
        }

        SetOperation? operation = null;
        if (!string.IsNullOrWhiteSpace(request.Operation))
        {
            if (Enum.TryParse<SetOperation>(request.Operation.Trim(), ignoreCase: true, out var op) && Enum.IsDefined(op))
            {
                operation = op;
            }
            else
            {
                issues.Add(new(null, "operation", $"'{request.Operation}' is not INTERSECTION, UNION or DIFFERENCE."));
            }
        }

        if (issues.Count > 0)
        {
            return (null, new RuleProblemDto("The rule has problems.", issues));
        }

        return (new RuleDraft(request.RuleName ?? "", request.Description, root!, request.Schedule, Utc(request.StartDate), Utc(request.EndDate),
            request.DependsOn ?? [], operation), null);
    }

    /// <summary>Dates with an offset are converted to UTC; dates without one are taken as UTC.</summary>
    private static DateTime? Utc(DateTime? value) => value switch
    {
        null => null,
        { Kind: DateTimeKind.Local } local => local.ToUniversalTime(),
        { } other => DateTime.SpecifyKind(other, DateTimeKind.Utc),
    };

    /// <summary>A 409 body when the only reason the save failed is that another rule has the name.</summary>
    private static RuleProblemDto? NameTaken(RuleSaveResult result) =>
        result.Issues.Count == 1 && result.Issues[0] is { NodeId: null, Field: "name" } issue && issue.Message.EndsWith("already exists.", StringComparison.Ordinal)
            ? new RuleProblemDto(issue.Message, RuleIssueDto.From(result.Issues))
            : null;

    internal static string? OperationName(SetOperation? operation) => operation?.ToString().ToUpperInvariant();
}

/// <summary>The body of POST and PUT /api/rules (the rule's fields; <c>version</c> for PUT's concurrency check).</summary>
internal sealed record RuleRequest(
    string? RuleName,
    [property: Description("The condition tree: {\"version\": 1, \"root\": {\"type\": \"group\", ...}}, or a flat list of conditions, AND-ed: "
        + "[{\"field\": \"total_spend\", \"operator\": \">\", \"value\": 100}].")] JsonElement? Conditions,
    string? Description = null,
    [property: Description("Cron: 5 fields, 6 with seconds first, or @daily, @hourly…")] string? Schedule = null,
    [property: Description("Start of the transaction window that aggregations over the rule window read (UTC).")] DateTime? StartDate = null,
    DateTime? EndDate = null,
    [property: Description("Ids of the rules whose segments this one combines.")] IReadOnlyList<long>? DependsOn = null,
    [property: Description("INTERSECTION, UNION or DIFFERENCE (with depends_on).")] string? Operation = null,
    [property: Description("PUT only: the version read; a newer save by someone else then answers 409.")] int? Version = null,
    [property: Description("true: when the conditions contain a saved segment's, save the rule as a combination "
        + "of that segment and the remaining conditions (depends_on and operation set, the covered conditions removed).")] bool? ReuseSegments = null);

/// <summary>The saved segment a rule was built on by <c>reuse_segments</c>, and the plan applied.</summary>
internal sealed record ReusedSegmentDto(
    long RuleId,
    string RuleName,
    long SegmentId,
    string SegmentName,
    string Operation,
    int CoveredConditions,
    int RemainingConditions,
    string Plan)
{
    public static ReusedSegmentDto From(ReuseSuggestion s) => new(s.Reused.RuleId, s.Reused.RuleName, s.Reused.SegmentId, s.Reused.SegmentName,
        RulesApi.OperationName(s.Operation)!, s.CoveredConditions, s.RemainingConditions, s.Plan);
}

internal sealed record RuleCreatedDto(
    string Message,
    long RuleId,
    [property: Description("With reuse_segments: the segment reused and the plan applied; null when none was.")] ReusedSegmentDto? ReusedSegment = null);

internal sealed record RuleUpdatedDto(
    string Message,
    [property: Description("With reuse_segments: the segment reused and the plan applied; null when none was.")] ReusedSegmentDto? ReusedSegment = null);

internal sealed record RuleTriggeredDto(string Message, long JobId);

/// <summary>A problem on a condition (<c>condition_id</c>, null for the rule's own fields), the field and what to do.</summary>
internal sealed record RuleIssueDto(
    string? ConditionId,
    string Field,
    string Message)
{
    /// <summary>The API calls the rule's name <c>rule_name</c>; the other fields keep the validator's names.</summary>
    public static List<RuleIssueDto> From(IEnumerable<RuleIssue> issues) =>
        issues.Select(i => new RuleIssueDto(i.NodeId, i.NodeId is null && i.Field == "name" ? "rule_name" : i.Field, i.Message)).ToList();
}

internal sealed record RuleProblemDto(string Message, IReadOnlyList<RuleIssueDto> Issues)
{
    public static RuleProblemDto Invalid(IEnumerable<RuleIssue> issues) => new("The rule has problems.", RuleIssueDto.From(issues));
}

internal sealed record RuleRefDto(long Id, string RuleName);

internal sealed record WhereUsedDto(IReadOnlyList<RuleRefDto> Rules, IReadOnlyList<string> Audiences)
{
    public static WhereUsedDto From(WhereUsed used) => new(used.Rules.Select(r => new RuleRefDto(r.Id, r.Name)).ToList(), used.Audiences);
}

internal sealed record RuleInUseDto(string Message, WhereUsedDto WhereUsed);

/// <summary>The rule's segment's latest outcome.</summary>
internal sealed record RuleLastResultDto(
    long SegmentId,
    string Status,
    long RowCount,
    DateTime? LastRefreshedAt,
    string? LastError)
{
    public static RuleLastResultDto? From(RuleLastResult? r) =>
        r is null ? null : new(r.SegmentId, PortalApi.Snake(r.Status), r.RowCount, r.LastRefreshedAt, r.LastError);
}

/// <summary>A rule as the list and the detail give it: the rule's fields, conditions as stored, and what ran last.</summary>
internal sealed record RuleDto(
    long Id,
    string RuleName,
    string? Description,
    JsonElement Conditions,
    string? Schedule,
    DateTime? NextRun,
    DateTime? StartDate,
    DateTime? EndDate,
    IReadOnlyList<long> DependsOn,
    string? Operation,
    int Version,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime UpdatedAt,
    string UpdatedBy,
    RuleLastResultDto? LastResult)
{
    public static RuleDto From(RuleOverview detail)
    {
        var r = detail.Rule;
        using var conditions = JsonDocument.Parse(r.Conditions);
        return new(r.Id, r.Name, r.Description, conditions.RootElement.Clone(), r.Schedule, detail.NextRun, r.StartDate, r.EndDate, r.DependsOn,
            RulesApi.OperationName(r.Operation), r.Version, r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy, RuleLastResultDto.From(detail.LastResult));
    }
}
