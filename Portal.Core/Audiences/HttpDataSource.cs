using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Core.Outbound;

namespace Portal.Core.Audiences;

/// <summary>The <c>DataSources:Http</c> section: the API gateway that state files' <c>source.endpoint</c> paths are relative to.</summary>
public sealed class DataSourceOptions
{
    public const string Section = "DataSources:Http";

    public string BaseUrl { get; set; } = "http://127.0.0.1:5080/sandbox/data/";

    /// <summary>The largest answer read; past it the fetch fails and nothing is saved.</summary>
    public long MaxResponseBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long a whole fetch (answer and body) may take.</summary>
    public double TimeoutSeconds { get; set; } = 300;
}

/// <summary>A fetch: whether member data now exists, how many members, and the <c>last_response</c> to record.</summary>
public sealed record FetchResult(bool Succeeded, long Members, LastResponse Response);

/// <summary>
/// The seed's API gateway source: GET <c>{base}{endpoint}?{params}</c> answering a JSON array of members (each field a
/// value or a list of values), streamed straight into the audience's Parquet file. The request stays under the base
/// URL, goes through the outbound policy, and its answer is capped in size and time.
/// </summary>
public sealed class HttpDataSource(HttpClient http, IOptions<DataSourceOptions> options, TimeProvider clock)
{
    public async Task<FetchResult> FetchAsync(AudienceState state, IBucket bucket, CancellationToken cancellationToken)
    {
        var date = clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var endpoint = state.SourceEndpoint ?? throw new InvalidOperationException($"{state.Name} has no source endpoint.");
        var query = string.Join("&", state.SourceParams.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var limits = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(limits.TimeoutSeconds));
        try
        {
            if (SourceEndpoint.Problem(endpoint) is { } problem)
            {
                throw new OutboundRefusedException($"the endpoint is not a path relative to the data source: {problem}");
            }

            var url = OutboundUrl.Under(new Uri(limits.BaseUrl), endpoint + (query.Length > 0 ? "?" + query : ""));
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var redirect = (int)response.StatusCode is >= 300 and < 400 ? " (redirects are not followed)" : "";
                return new FetchResult(false, 0, new LastResponse(date, (int)response.StatusCode,
                    $"Failed: the data source answered {(int)response.StatusCode} {response.ReasonPhrase}{redirect}."));
            }

            if (response.Content.Headers.ContentLength > limits.MaxResponseBytes)
            {
                throw new ResponseTooLargeException(limits.MaxResponseBytes);
            }

            await using var body = new CappedStream(await response.Content.ReadAsStreamAsync(timeout.Token), limits.MaxResponseBytes);
            var members = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, cancellationToken: timeout.Token)
                .Select(ToMember);
            var count = await MemberFile.WriteAsync(bucket, state.Name, members, timeout.Token);
            return new FetchResult(true, count, new LastResponse(date, (int)response.StatusCode, $"Success: {count:N0} members fetched."));
        }
        catch (HttpRequestException ex) when (OutboundRefusedException.Find(ex) is { } refused)
        {
            return new FetchResult(false, 0, new LastResponse(date, 503, $"Failed: the portal refused the request ({refused.Message})."));
        }
        catch (HttpRequestException ex)
        {
            return new FetchResult(false, 0, new LastResponse(date, 503, $"Failed: the data source could not be reached ({ex.Message})."));
        }
        catch (ResponseTooLargeException ex)
        {
            return new FetchResult(false, 0, new LastResponse(date, 502,
                $"Failed: the data source's answer is larger than {ex.Limit:N0} bytes ({DataSourceOptions.Section}:{nameof(DataSourceOptions.MaxResponseBytes)}); nothing was saved."));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FetchResult(false, 0, new LastResponse(date, 504,
                $"Failed: the data source did not finish answering within {limits.TimeoutSeconds:0.#} s ({DataSourceOptions.Section}:{nameof(DataSourceOptions.TimeoutSeconds)}); nothing was saved."));
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
