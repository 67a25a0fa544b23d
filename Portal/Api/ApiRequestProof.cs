using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Portal.Api;

/// <summary>
/// Proof that a state-changing API request (POST, PUT, PATCH, DELETE) was sent by the portal's own callers and not by
/// another site riding on the sign-in cookie. SameSite=Strict alone is not enough: other ports of the same host and
/// sibling subdomains are "same site". So such a request must carry <c>X-Requested-With</c> (a header an HTML form cannot
/// set, and a script on another origin cannot send without a CORS preflight, which the portal never grants), and where
/// the browser says where the request came from (<c>Sec-Fetch-Site</c>, <c>Origin</c>) it must be the portal itself.
/// Applies to the endpoints that carry <see cref="Required"/> (the <c>/api</c> group); runs after authorization, before
/// the endpoint reads its body.
/// </summary>
internal sealed class ApiRequestProof(RequestDelegate next)
{
    public const string HeaderName = "X-Requested-With";
    public const string HeaderValue = "portal";

    /// <summary>The endpoint metadata that asks for the proof.</summary>
    public static readonly object Required = new ApiRequestProofRequired();

    public const string Description = $"State-changing requests (POST, PUT, PATCH, DELETE) must send the header `{HeaderName}: {HeaderValue}`; "
        + "when the browser sends `Origin` or `Sec-Fetch-Site`, they must name this portal itself. Without them the answer is 403 with the reason: "
        + "this keeps another site (or another port or subdomain of the same host) from using a signed-in person's cookie.";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiRequestProofRequired>() is not null && RefusalOf(context.Request) is { } reason)
        {
            await Results.Problem(reason, statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>Why the request is refused, or null when it is safe or carries the proof.</summary>
    internal static string? RefusalOf(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        {
            return null;
        }

        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none"))
        {
            return $"The browser says this request came from another site (Sec-Fetch-Site: {fetchSite}); the API takes changes only from the portal itself.";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsSameHost(origin, request.Host))
        {
            return $"The request came from {origin}, not from this portal ({request.Host}); the API takes changes only from the portal itself.";
        }

        if (string.IsNullOrWhiteSpace(request.Headers[HeaderName]))
        {
            return $"{request.Method} requests to the API must send the header '{HeaderName}: {HeaderValue}' (a form on another site cannot send it).";
        }

        return null;
    }

    /// <summary>
    /// Origin names the same host and port as the request's Host. The scheme is not compared: behind a proxy that ends
    /// TLS the app sees http while the browser's Origin says https; the host and port still tell a sibling apart.
    /// </summary>
    private static bool IsSameHost(string origin, HostString host)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !host.HasValue)
        {
            return false;
        }

        // A Host without a port is on its scheme's default port: the Origin must be on its own default port too.
        var samePort = host.Port is { } port ? uri.Port == port : uri.IsDefaultPort;
        return samePort && string.Equals(uri.Host, host.Host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Adds the header to each state-changing operation of the OpenAPI document, and the 403 it answers without it.</summary>
    internal static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var method = context.Description.HttpMethod ?? "GET";
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiRequestProofRequired>().Any()
            || HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return Task.CompletedTask;
        }

        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = HeaderName,
            In = ParameterLocation.Header,
            Required = true,
            Description = $"Must be sent (`{HeaderValue}`). {Description}",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Default = System.Text.Json.Nodes.JsonValue.Create(HeaderValue) },
        });
        operation.Responses ??= [];
        if (!operation.Responses.ContainsKey("403"))
        {
            operation.Responses["403"] = new OpenApiResponse { Description = "Forbidden: the role may not do this, or the request is cross-site or lacks the header." };
        }

        return Task.CompletedTask;
    }

    private sealed class ApiRequestProofRequired;
}
