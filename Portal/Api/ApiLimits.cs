using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Api;

/// <summary>
/// How much a request may send. The API's JSON bodies take at most <see cref="JsonBodyBytes"/> (endpoint metadata, which
/// routing hands to the server's per-request limit); an upload takes its configured size plus room for the multipart
/// fields; a form field at most <see cref="FormFieldChars"/>. Past a limit the answer is 413 naming it
/// (<see cref="BodyLimitMiddleware"/>).
/// </summary>
internal static class ApiLimits
{
    /// <summary>The largest JSON body an API route takes.</summary>
    public const long JsonBodyBytes = 1024 * 1024;

    /// <summary>What a multipart upload may send besides the file: boundaries, part headers, the few fields.</summary>
    public const long MultipartAllowanceBytes = 64 * 1024;

    /// <summary>The longest form field (an upload's dataset, partition or file name; a sign-in form's fields).</summary>
    public const int FormFieldChars = 1024;

    /// <summary>The most form fields an upload may send before its file.</summary>
    public const int FormFieldCount = 16;

    /// <summary>The default cap of every API route (a route with its own replaces it).</summary>
    public static RequestSizeLimitAttribute JsonBody { get; } = new(JsonBodyBytes);

    /// <summary>Bounds the forms the server reads (the sign-in pages): field length, field count, multipart size.</summary>
    public static IServiceCollection AddPortalRequestLimits(this IServiceCollection services) => services.Configure<FormOptions>(o =>
    {
        o.ValueLengthLimit = FormFieldChars * 4; // bytes of UTF-8
        o.KeyLengthLimit = FormFieldChars;
        o.ValueCountLimit = 64;
        o.MultipartBodyLengthLimit = JsonBodyBytes;
    });
}
