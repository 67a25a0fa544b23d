using System.Security.Cryptography;

namespace Portal;

/// <summary>
/// Security headers on every response, error pages included (they are added as the response starts, after any
/// handler has cleared the headers). The Content-Security-Policy is the tightest the portal's pages work under:
/// scripts only from the portal itself, plus the one inline script Blazor renders (the import map) by a per-request
/// nonce; inline styles allowed, since MudBlazor and Monaco style elements inline; connections (the Blazor circuit's
/// WebSocket, fetches) to the portal only; no framing, plugins or foreign form targets.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    private const string NonceKey = "portal.csp-nonce";

    /// <summary>The nonce this request's Content-Security-Policy allows inline scripts by (null outside a request through this middleware).</summary>
    public static string? NonceOf(HttpContext context) => context.Items[NonceKey] as string;

    public static string PolicyFor(string nonce) => string.Join("; ",
        "default-src 'self'",
        $"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'");

    public Task InvokeAsync(HttpContext context)
    {
        // Hex, not base64: Razor writes '+' in an attribute as &#x2B;, which is the same nonce to a browser but not to a reader of the text.
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = PolicyFor(nonce);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // Not no-referrer: with it, browsers send "Origin: null" on same-origin form posts, which an Origin check must refuse.
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
