using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Portal.Core.Adtech.Sandbox;

/// <summary>
/// JSON answers of the sandbox exactly as written (camelCase for Google, snake_case for Meta and the seed's APIs), not
/// through the portal API's naming policy, which the same app's JSON options carry when the portal hosts the sandbox.
/// </summary>
internal static class SandboxResults
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = null };

    public static IResult Json(object? data, int? statusCode = null) => Results.Json(data, Options, statusCode: statusCode);
}
