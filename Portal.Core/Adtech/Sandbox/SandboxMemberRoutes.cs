using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// AdtechA's and AdtechB's member routes besides the adds: a remove is a DELETE on the add's path with the add's body
/// (<c>DELETE /adtech-a/v2/audiences/{id}/members?advertiserId=…</c> with <c>{"members": [...]}</c>,
/// <c>DELETE /adtech-b/audiences/{id}/data</c> with <c>{"schema": [...], "data": [...]}</c>), as Meta removes users with
/// a DELETE on the path it adds them with. Removing a member the audience does not hold is not an error. Also reads the
/// rows of an add, for <see cref="SandboxMembers"/>.
/// </summary>
public static class SandboxMemberRoutes
{
    /// <summary>At most this many members a remove request, as the add routes' connectors send.</summary>
    public const int MaxRowsPerRequest = 10_000;

    public static void MapMemberRemoves(this RouteGroupBuilder group, SandboxState state)
    {
        group.MapDelete("/adtech-a/v2/audiences/{id}/members", async Task<IResult> (string id, HttpContext http) =>
            string.IsNullOrEmpty(http.Request.Query["advertiserId"])
                ? SandboxResults.Json(new { message = "advertiserId is required" }, statusCode: 400)
                : await RemoveAsync(http, state, "adtechA", id, "members"));
        group.MapDelete("/adtech-b/audiences/{id}/data", async Task<IResult> (string id, HttpContext http) =>
            await RemoveAsync(http, state, "adtechB", id, "data"));
    }

    private static async Task<IResult> RemoveAsync(HttpContext http, SandboxState state, string api, string id, string rowsPath)
    {
        if (http.Request.Headers.Authorization != $"Bearer {state.AccessToken}")
        {
            return SandboxResults.Json(new { message = "Invalid or missing access token" }, statusCode: 401);
        }

        var (body, invalid, rows) = await ReadAsync(http.Request.BodyReader, rowsPath, state.Members, http.RequestAborted);
        if (body is null || rows is null)
        {
            return SandboxResults.Json(new { message = invalid ?? $"{rowsPath} is required" }, statusCode: 400);
        }

        if (rows.Count > MaxRowsPerRequest)
        {
            return SandboxResults.Json(new { message = $"at most {MaxRowsPerRequest} members per request" }, statusCode: 400);
        }

        if (!state.AudienceMembers.ContainsKey(id))
        {
            return SandboxResults.Json(new { message = $"No audience {id}" }, statusCode: 404);
        }

        var removed = state.Members.Kept ? state.Members.Remove(id, rows) : rows.Count;
        state.AudienceMembers.AddOrUpdate(id, 0, (_, n) => n - removed);
        state.Calls.Enqueue(new SandboxCall($"{api}:remove", id, removed));
        return SandboxResults.Json(new { id, message = $"Removed {removed} members", num_received = rows.Count, num_removed = removed });
    }

    /// <summary>
    /// Reads a body for <see cref="SandboxBody"/>'s checks and, with <paramref name="rowsPath"/> (<c>members</c>: AdtechA's
    /// objects of identifier lists; <c>data</c>: AdtechB's rows in its <c>schema</c>'s column order), the key of each
    /// member row (null when the body has no such array). Without a path, the body streams through as before.
    /// </summary>
    internal static async Task<(SandboxBody? Body, string? Error, List<UInt128>? Rows)> ReadAsync(PipeReader pipe, string? rowsPath, SandboxMembers members,
        CancellationToken cancellationToken)
    {
        if (rowsPath is null)
        {
            var (streamed, error) = await SandboxBody.ReadAsync(pipe, cancellationToken);
            return (streamed, error, null);
        }

        ReadResult read;
        while (!(read = await pipe.ReadAsync(cancellationToken)).IsCompleted)
        {
            pipe.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        try
        {
            var (body, invalid) = await SandboxBody.ReadAsync(PipeReader.Create(read.Buffer), cancellationToken);
            if (body is null)
            {
                return (null, invalid, null);
            }

            // A dotted path (Meta's payload.data) names the rows in an object of the body, next to that object's schema.
            using var document = JsonDocument.Parse(read.Buffer);
            var parent = document.RootElement;
            var names = rowsPath.Split('.');
            foreach (var name in names[..^1])
            {
                parent = parent.TryGetProperty(name, out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : default;
            }

            return parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(names[^1], out var array) && array.ValueKind == JsonValueKind.Array
                ? (body, null, Rows(members, parent, array, names[^1]))
                : (body, null, null);
        }
        catch (InvalidDataException ex)
        {
            return (null, ex.Message, null);
        }
        finally
        {
            pipe.AdvanceTo(read.Buffer.End);
        }
    }

    private static List<UInt128> Rows(SandboxMembers members, JsonElement root, JsonElement array, string rowsPath)
    {
        var rows = new List<UInt128>(array.GetArrayLength());
        if (rowsPath == "members")
        {
            foreach (var member in array.EnumerateArray())
            {
                rows.Add(members.Key(Values(member, "email"), Values(member, "phone_number"), Values(member, "zip_code")));
            }

            return rows;
        }

        var schema = root.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Array
            ? s.EnumerateArray().Select(c => c.GetString() ?? "").ToList()
            : throw new InvalidDataException("schema is required");
        var (email, phone, zip) = (schema.IndexOf("EMAIL"), schema.IndexOf("PHONE"), schema.IndexOf("ZIP"));
        foreach (var row in array.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != schema.Count)
            {
                throw new InvalidDataException($"data row {rows.Count} must be an array of {schema.Count} columns, as schema says");
            }

            rows.Add(members.Key(Column(row, email), Column(row, phone), Column(row, zip)));
        }

        return rows;
    }

    private static List<string> Values(JsonElement member, string name) =>
        member.ValueKind == JsonValueKind.Object && member.TryGetProperty(name, out var values) ? Strings(values) : [];

    private static List<string> Column(JsonElement row, int index) => index < 0 ? [] : Strings(row[index]);

    /// <summary>A column's values: a list of strings, or one string (empty: none).</summary>
    private static List<string> Strings(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => [.. value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())],
        JsonValueKind.String when value.GetString() is { Length: > 0 } one => [one],
        _ => [],
    };
}
