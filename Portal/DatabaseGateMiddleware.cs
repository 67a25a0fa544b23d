using System.Net;
using Portal.Core.Data;

namespace Portal;

/// <summary>
/// Until the database is ready, pages get a plain page that says why (starting, loading demo data, or what is wrong
/// with the configuration or the server) instead of an error: the app keeps running and recovers by itself when it can.
/// Static files and the health check pass through.
/// </summary>
internal sealed class DatabaseGateMiddleware(RequestDelegate next, DatabaseStatus status)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (status.IsReady || Path.HasExtension(context.Request.Path.Value) || context.Request.Path.StartsWithSegments("/health")
            || context.Request.Path.StartsWithSegments("/_framework") || context.Request.Path.StartsWithSegments("/_content"))
        {
            await next(context);
            return;
        }

        var starting = status.State == DatabaseState.Starting;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = starting ? "2" : "30";
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await context.Response.WriteAsJsonAsync(new { status = status.State.ToString(), message = status.Message });
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        var title = starting ? "Audience Portal is starting" : "Audience Portal cannot use its database";
        var refresh = starting ? "<meta http-equiv=\"refresh\" content=\"2\">" : "<meta http-equiv=\"refresh\" content=\"30\">";
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">{{refresh}}<title>{{title}}</title>
            <style>body{font-family:system-ui,sans-serif;background:#f5f6f8;color:#1f2933;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
            main{background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002;padding:32px 40px;max-width:720px}
            h1{font-size:20px;margin:0 0 12px}p{line-height:1.5}.msg{font-family:ui-monospace,monospace;background:#fdf2f2;border-left:4px solid #c62828;padding:10px 14px;white-space:pre-wrap}
            .ok{background:#eef6fc;border-left-color:#1565c0}</style></head>
            <body><main role="main"><h1>{{title}}</h1>
            <p class="msg {{(starting ? "ok" : "")}}">{{WebUtility.HtmlEncode(status.Message)}}</p>
            <p>{{(starting ? "This page refreshes by itself." : status.Message.StartsWith("Cannot reach", StringComparison.Ordinal)
                ? "The portal retries the connection every 30 seconds and this page refreshes by itself; check the server and ConnectionStrings:SqlServer."
                : "Fix the setting, then restart the portal.")}}</p>
            </main></body></html>
            """);
    }
}
