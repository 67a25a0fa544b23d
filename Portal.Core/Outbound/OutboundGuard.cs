namespace Portal.Core.Outbound;

/// <summary>The policy's checks on a request before it is sent (scheme, https where credentials go).</summary>
public sealed class OutboundGuard(OutboundPolicy policy, bool requireHttps) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        policy.CheckRequest(request.RequestUri ?? throw new OutboundRefusedException("A request without a URL."), requireHttps);
        return base.SendAsync(request, cancellationToken);
    }
}
