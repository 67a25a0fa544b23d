using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Account;

/// <summary>
/// The sign-in's protections (<see cref="SignInProtectionOptions"/>): sessions re-checked against the account every
/// minute, sign-in attempts limited per client address, and failed attempts audited without flooding the log.
/// </summary>
internal static class AccountProtection
{
    /// <summary>The rate limiting policy of the sign-in form (its POSTs; showing the form is not limited).</summary>
    public const string SignInPolicy = "sign-in";

    public static IServiceCollection AddAccountProtection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignInProtectionOptions>().Bind(configuration.GetSection(SignInProtectionOptions.Section))
            .Validate(o => o.RevalidationInterval > TimeSpan.Zero && o.AttemptWindow > TimeSpan.Zero && o.FailureAuditWindow > TimeSpan.Zero,
                $"{SignInProtectionOptions.Section}: RevalidationInterval, AttemptWindow and FailureAuditWindow must be positive times, like 00:01:00.")
            .Validate(o => o.AttemptsPerWindow > 0, $"{SignInProtectionOptions.Section}:AttemptsPerWindow must be at least 1.")
            .ValidateOnStart();

        // Identity's cookie check (role, lock, deletion and password changes) runs this often instead of every 30 minutes;
        // it and the cookie read the app's clock, so tests can move time.
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<SignInProtectionOptions>, TimeProvider>((o, protection, clock) =>
        {
            o.ValidationInterval = protection.Value.RevalidationInterval;
            o.TimeProvider = clock;
        });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme).Configure<TimeProvider>((o, clock) => o.TimeProvider = clock);

        services.AddSingleton<FailedSignInAudit>();
        services.AddScoped<PortalSignIn>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInPolicy, context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method))
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                var limits = context.RequestServices.GetRequiredService<IOptions<SignInProtectionOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.AttemptsPerWindow,
                    Window = limits.AttemptWindow,
                    QueueLimit = 0,
                });
            });
            o.OnRejected = (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/plain; charset=utf-8";
                return new ValueTask(response.WriteAsync(
                    $"Too many sign-in attempts from your address. Try again in {seconds} seconds.", cancellationToken));
            };
        });
        return services;
    }
}
