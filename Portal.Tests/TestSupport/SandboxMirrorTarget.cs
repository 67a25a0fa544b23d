using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Tests.TestSupport;

/// <summary>
/// The sync's target over the sandbox's real HTTP API, standing in for a connector: an AdtechB audience's members added
/// with a POST and removed with a DELETE on <c>adtech-b/audiences/{id}/data</c>, in the seed's schema-and-rows body.
/// </summary>
public sealed class SandboxMirrorTarget(HttpClient http, string token, string audienceId, int batchSize = 10_000) : IMirrorTarget
{
    public int BatchSize { get; } = batchSize;

    /// <summary>Creates an empty AdtechB audience in the sandbox; its id.</summary>
    public static async Task<string> CreateAudienceAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "adtech-b/audiences") { Content = JsonContent.Create(new { name = "Sync test", schema = new[] { "EMAIL", "PHONE", "ZIP" } }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, batch, cancellationToken);

    public Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, batch, cancellationToken);

    private async Task<MirrorAnswer> SendAsync(HttpMethod method, IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken)
    {
        var body = new { schema = new[] { "EMAIL", "PHONE", "ZIP" }, data = batch.Select(m => new[] { m.Emails, m.Phones, m.Zips }) };
        using var request = new HttpRequestMessage(method, $"adtech-b/audiences/{audienceId}/data") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return new MirrorAnswer(response.IsSuccessStatusCode, (int)response.StatusCode, answer.GetProperty("message").GetString() ?? "");
    }
}
