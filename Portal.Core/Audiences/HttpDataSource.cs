using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Portal.Core.Audiences;

/// <summary>The <c>DataSources:Http</c> section: the API gateway that state files' <c>source.endpoint</c> paths are relative to.</summary>
public sealed class DataSourceOptions
{
    public const string Section = "DataSources:Http";

    public string BaseUrl { get; set; } = "http://127.0.0.1:5080/sandbox/data/";
}

/// <summary>A fetch: whether member data now exists, how many members, and the <c>last_response</c> to record.</summary>
public sealed record FetchResult(bool Succeeded, long Members, LastResponse Response);

/// <summary>
/// The seed's API gateway source: GET <c>{base}{endpoint}?{params}</c> answering a JSON array of members (each field a
/// value or a list of values), streamed straight into the audience's Parquet file.
/// </summary>
public sealed class HttpDataSource(HttpClient http, IOptions<DataSourceOptions> options, TimeProvider clock)
{
    public async Task<FetchResult> FetchAsync(AudienceState state, IBucket bucket, CancellationToken cancellationToken)
    {
        var date = clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var endpoint = state.SourceEndpoint ?? throw new InvalidOperationException($"{state.Name} has no source endpoint.");
        var query = string.Join("&", state.SourceParams.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var url = new Uri(new Uri(options.Value.BaseUrl), endpoint.TrimStart('/') + (query.Length > 0 ? "?" + query : ""));
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new FetchResult(false, 0, new LastResponse(date, (int)response.StatusCode, $"Failed: the data source answered {(int)response.StatusCode} {response.ReasonPhrase}."));
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var members = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, cancellationToken: cancellationToken)
                .Select(ToMember);
            var count = await MemberFile.WriteAsync(bucket, state.Name, members, cancellationToken);
            return new FetchResult(true, count, new LastResponse(date, (int)response.StatusCode, $"Success: {count:N0} members fetched."));
        }
        catch (HttpRequestException ex)
        {
            return new FetchResult(false, 0, new LastResponse(date, 503, $"Failed: the data source could not be reached ({ex.Message})."));
        }
        catch (JsonException ex)
        {
            return new FetchResult(false, 0, new LastResponse(date, 502, $"Failed: the data source answered something other than a JSON array of members (line {ex.LineNumber}, position {ex.BytePositionInLine})."));
        }
    }

    private static Member ToMember(JsonElement element) =>
        new(Values(element, "email"), Values(element, "phone_number"), Values(element, "zip_code"));

    private static List<string> Values(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Number => [value.GetRawText()],
            JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                .Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToList(),
            _ => [],
        };
    }
}
