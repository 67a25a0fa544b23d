using System.Net;
using System.Text;

namespace Portal.Tests.TestSupport;

/// <summary>One request a <see cref="RecordingHandler"/> saw: method, absolute URL, body and headers.</summary>
public sealed record RecordedRequest(string Method, string Url, string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// An HTTP handler that records every request and answers it with what <c>answer</c> gives (status and JSON), so that
/// the exact URLs and bodies a connector sends to a real API's host can be pinned without a network.
/// </summary>
public sealed class RecordingHandler(Func<RecordedRequest, (int Status, string Json)> answer) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!.AbsoluteUri, body, headers);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        var (status, json) = answer(recorded);
        return new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }
}
