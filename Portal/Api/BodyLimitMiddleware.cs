using Microsoft.AspNetCore.Http.Metadata;
using Portal.Core.Uploads;

namespace Portal.Api;

/// <summary>
/// Answers a body over its route's limit (<see cref="IRequestSizeLimitMetadata"/>) with 413 naming the limit: at once
/// when the declared length is over it, and when the server stops a longer body while it is read (chunked bodies, or a
/// declared length that lied), whether that surfaced as an exception or as a bare 413. The answer is problem details,
/// or the route's own error shape where it has one (<see cref="TooLargeAnswer"/>), so that every 413 of a route looks alike.
/// </summary>
internal sealed class BodyLimitMiddleware(RequestDelegate next)
{
    /// <summary>Endpoint metadata: how the route answers a body over its limit, given the message naming the limit.</summary>
    public sealed record TooLargeAnswer(Func<string, IResult> Answer);

    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        if (limit is null)
        {
            await next(context);
            return;
        }

        if (context.Request.ContentLength > limit)
        {
            await TooLargeAsync(context, limit.Value);
            return;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await TooLargeAsync(context, limit.Value);
            return;
        }

        if (context.Response is { StatusCode: StatusCodes.Status413PayloadTooLarge, HasStarted: false, ContentType: null })
        {
            await TooLargeAsync(context, limit.Value); // the JSON binder's bare 413, with no body of its own
        }
    }

    private static Task TooLargeAsync(HttpContext context, long limit)
    {
        context.Response.Clear();
        var message = $"The request body is larger than the {ByteSize.Describe(limit)} this route accepts.";
        var answer = context.GetEndpoint()?.Metadata.GetMetadata<TooLargeAnswer>()?.Answer(message)
            ?? Results.Problem(message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");
        return answer.ExecuteAsync(context);
    }
}
