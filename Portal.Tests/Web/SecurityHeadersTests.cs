using System.Net;
using System.Text.RegularExpressions;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web;

/// <summary>The security headers, through the real app: on pages, API answers, static files and error answers alike.</summary>
public sealed partial class SecurityHeadersTests
{
    [GeneratedRegex("""<script type="importmap" nonce="([^"]+)">""")]
    private static partial Regex ImportMapNonce();

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "(none)";

    private static void AssertHeaders(HttpResponseMessage response)
    {
        var policy = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Matches("script-src 'self' 'nonce-[A-Za-z0-9+/=]+';", policy);
        Assert.Contains("style-src 'self' 'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
    }

    [Fact]
    public async Task Page_SignIn_CarriesTheHeadersAndItsImportMapCarriesThePolicysNonce()
    {
        await using var factory = new PortalWebFactory();
        using var client = await factory.ReadyClientAsync();

        using var first = await client.GetAsync("/account/login");
        using var second = await client.GetAsync("/account/login");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        AssertHeaders(first);
        var nonce = ImportMapNonce().Match(await first.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains($"'nonce-{nonce}'", Header(first, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.DoesNotContain($"'nonce-{nonce}'", Header(second, "Content-Security-Policy"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/jobs", HttpStatusCode.Unauthorized)]
    [InlineData("/health", HttpStatusCode.OK)]
    [InlineData("/js/portal.js", HttpStatusCode.OK)]
    public async Task OtherAnswers_CarryTheHeadersToo(string path, HttpStatusCode status)
    {
        await using var factory = new PortalWebFactory();
        using var client = await factory.ReadyClientAsync();

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        AssertHeaders(response);
    }
}
