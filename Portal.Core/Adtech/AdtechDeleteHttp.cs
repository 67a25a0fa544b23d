using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Core.Outbound;

namespace Portal.Core.Adtech;

/// <summary>
/// DELETEs with a JSON body (Meta removes users with a DELETE on the path it adds them with, the add's body included),
/// with the connection's bearer token. Retries 429 (as long as Retry-After says), 5xx, timeouts and what the connector
/// calls throttling with exponential backoff (a remove is safe to repeat); other 4xx are final. Use the same
/// <see cref="HttpClient"/> as <see cref="AdtechHttp"/> (its outbound policy). Never logs bodies or tokens.
/// </summary>
public sealed class AdtechDeleteHttp(HttpClient http, AdtechRetryOptions options, TimeProvider clock)
{
    public async Task<AdtechResponse> DeleteAsync(AdtechConnection connection, string relativeUrl, ReadOnlyMemory<byte> json,
        Func<int, JsonNode?, bool>? throttled, CancellationToken cancellationToken)
    {
        var url = OutboundUrl.Under(connection.BaseUrl, relativeUrl);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, url) { Content = new ReadOnlyMemoryContent(json) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (!string.IsNullOrEmpty(connection.AccessToken))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.AccessToken);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
            int status;
            string message;
            TimeSpan? wait = null;
            try
            {
                using var response = await http.SendAsync(request, timeout.Token);
                status = (int)response.StatusCode;
                var body = response.Content.Headers.ContentType?.MediaType == "application/json"
                    ? await response.Content.ReadFromJsonAsync<JsonNode>(timeout.Token)
                    : null;
                message = (body?["message"] ?? body?["error"]?["message"])?.GetValue<string>() ?? response.ReasonPhrase ?? "";
                if (response.IsSuccessStatusCode
                    || (status < 500 && response.StatusCode != HttpStatusCode.TooManyRequests && throttled?.Invoke(status, body) != true))
                {
                    return new AdtechResponse(status, body, message, attempt);
                }

                wait = response.Headers.RetryAfter?.Delta;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                (status, message) = (504, $"No answer within {options.TimeoutSeconds:0.#} s");
            }
            catch (HttpRequestException ex) when (OutboundRefusedException.Find(ex) is { } refused)
            {
                return new AdtechResponse(503, null, refused.Message, attempt);
            }
            catch (HttpRequestException ex)
            {
                (status, message) = (503, ex.Message);
            }

            if (attempt >= options.MaxAttempts)
            {
                return new AdtechResponse(status, null, $"{message} (after {attempt} attempts)", attempt);
            }

            var backoff = TimeSpan.FromSeconds(Math.Min(options.MaxDelaySeconds, options.BaseDelaySeconds * Math.Pow(2, attempt - 1)));
            await Task.Delay(wait is { } w ? TimeSpan.FromSeconds(Math.Clamp(w.TotalSeconds, 0, options.MaxDelaySeconds)) : backoff, clock, cancellationToken);
        }
    }
}
