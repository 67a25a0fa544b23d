using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Outbound;

namespace Portal.Core.Adtech;

/// <summary>Retry policy of adtech calls.</summary>
public sealed class AdtechRetryOptions
{
    public const string Section = "Adtech:Retry";

    public int MaxAttempts { get; set; } = 4;
    public double BaseDelaySeconds { get; set; } = 1;
    public double MaxDelaySeconds { get; set; } = 60;
    public double TimeoutSeconds { get; set; } = 30;
}

/// <summary>The answer of one adtech call, after retries.</summary>
public sealed record AdtechResponse(int Status, JsonNode? Body, string Message, int Attempts)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>
/// POSTs JSON to an adtech with its bearer token. Retries 429 (waiting as long as Retry-After says), 5xx, timeouts and
/// what the connector calls throttling with exponential backoff; other 4xx are final. A retried request may be applied
/// twice (no adtech honours an idempotency key), so callers retry this way only what is safe to repeat. Requests stay under the connection's base URL; one the
/// outbound policy refuses is not retried. Never logs bodies or tokens.
/// </summary>
public sealed class AdtechHttp(HttpClient http, AdtechRetryOptions options, TimeProvider clock)
{
    /// <summary>The largest answer read from an adtech (4 MiB); a larger one fails the request.</summary>
    public const long MaxAnswerBytes = 4L * 1024 * 1024;

    /// <summary>
    /// Labels each step of an upload (<c>{export}:create</c>, <c>{export}:batch:{n}</c>); no adtech honours it, so it
    /// makes nothing safe to repeat (creates are settled by looking the audience up instead).
    /// </summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>How many times a call is tried at most.</summary>
    public int MaxAttempts => options.MaxAttempts;

    /// <summary>
    /// POSTs an already serialized JSON body (connectors write theirs with a Utf8JsonWriter), with the bearer token,
    /// the <paramref name="idempotencyKey"/> when given, and any <paramref name="headers"/> the adtech asks for besides
    /// (Google's developer-token). A refused answer that <paramref name="throttled"/> calls throttling (Meta's rate-limit
    /// codes come as 400 or 403) is retried with the backoff, like a 429. Without <paramref name="retryUnknown"/>, an
    /// outcome that is unknown (a 5xx, no answer in time, a lost connection: the request may have been applied) is
    /// returned at once instead of retried, for a caller that must settle it first (a create, by looking the audience up).
    /// </summary>
    public Task<AdtechResponse> PostAsync(AdtechConnection connection, string relativeUrl, ReadOnlyMemory<byte> json,
        IReadOnlyList<KeyValuePair<string, string>>? headers, string? idempotencyKey, CancellationToken cancellationToken,
        Func<int, JsonNode?, bool>? throttled = null, bool retryUnknown = true) =>
        SendAsync(HttpMethod.Post, connection, relativeUrl, json, headers, idempotencyKey, cancellationToken, throttled, retryUnknown);

    /// <summary>
    /// Sends a JSON body with <paramref name="method"/> (a member remove is a DELETE with a body), with the retry policy
    /// of <see cref="PostAsync"/>.
    /// </summary>
    public async Task<AdtechResponse> SendAsync(HttpMethod method, AdtechConnection connection, string relativeUrl, ReadOnlyMemory<byte> json,
        IReadOnlyList<KeyValuePair<string, string>>? headers, string? idempotencyKey, CancellationToken cancellationToken,
        Func<int, JsonNode?, bool>? throttled = null, bool retryUnknown = true)
    {
        var url = OutboundUrl.Under(connection.BaseUrl, relativeUrl);
        string message = "";
        var status = 0;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? wait = null;
            using var request = Request(method, url, connection, headers);
            request.Content = new ReadOnlyMemoryContent(json);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (idempotencyKey is not null)
            {
                request.Headers.Add(IdempotencyKeyHeader, idempotencyKey);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
            try
            {
                using var response = await http.SendAsync(request, timeout.Token);
                status = (int)response.StatusCode;
                (var body, message) = await ReadAsync(response, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return new AdtechResponse(status, body, message, attempt);
                }

                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    wait = RetryAfter(response.Headers.RetryAfter);
                }
                else if (status < 500 && throttled?.Invoke(status, body) != true)
                {
                    return new AdtechResponse(status, body, message, attempt);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                status = 504;
                message = $"No answer within {options.TimeoutSeconds:0.#} s";
            }
            catch (HttpRequestException ex) when (OutboundRefusedException.Find(ex) is { } refused)
            {
                return new AdtechResponse(503, null, refused.Message, attempt);
            }
            catch (HttpRequestException ex)
            {
                status = 503;
                message = ex.Message;
            }

            if (attempt >= options.MaxAttempts)
            {
                return new AdtechResponse(status, null, $"{message} (after {attempt} attempts)", attempt);
            }

            if (!retryUnknown && wait is null && status >= 500)
            {
                return new AdtechResponse(status, null, message, attempt);
            }

            var backoff = TimeSpan.FromSeconds(Math.Min(options.MaxDelaySeconds, options.BaseDelaySeconds * Math.Pow(2, attempt - 1)));
            await Task.Delay(wait ?? backoff, clock, cancellationToken);
        }
    }

    /// <summary>One GET without retries (a connection check): the status and the adtech's message, or why there was no answer.</summary>
    public async Task<AdtechResponse> GetOnceAsync(AdtechConnection connection, string relativeUrl, IReadOnlyList<KeyValuePair<string, string>> headers,
        CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, OutboundUrl.Under(connection.BaseUrl, relativeUrl), connection, headers);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            var (body, message) = await ReadAsync(response, timeout.Token);
            return new AdtechResponse((int)response.StatusCode, body, message, 1);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AdtechResponse(504, null, $"No answer within {options.TimeoutSeconds:0.#} s", 1);
        }
        catch (HttpRequestException ex)
        {
            return new AdtechResponse(503, null, OutboundRefusedException.Find(ex)?.Message ?? ex.Message, 1);
        }
    }

    /// <summary>A request with the connection's bearer token and the connector's extra headers.</summary>
    private static HttpRequestMessage Request(HttpMethod method, Uri url, AdtechConnection connection, IReadOnlyList<KeyValuePair<string, string>>? headers)
    {
        var request = new HttpRequestMessage(method, url);
        if (!string.IsNullOrEmpty(connection.AccessToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.AccessToken);
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>The JSON body, if any, and the adtech's message: <c>{"message": ...}</c>, or Google's <c>{"error": {"message": ...}}</c>.</summary>
    private static async Task<(JsonNode? Body, string Message)> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = response.Content.Headers.ContentType?.MediaType == "application/json"
            ? await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken)
            : null;
        return (body, (body?["message"] ?? body?["error"]?["message"])?.GetValue<string>() ?? response.ReasonPhrase ?? "");
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        var delay = header?.Delta ?? (header?.Date is { } date ? date - clock.GetUtcNow() : null);
        return delay is { } d ? TimeSpan.FromSeconds(Math.Clamp(d.TotalSeconds, 0, options.MaxDelaySeconds)) : null;
    }
}
