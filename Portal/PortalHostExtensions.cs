using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor;
using MudBlazor.Services;
using Portal.Account;
using Portal.Api;
using Portal.Components;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Data;
using Portal.Core.Security;

namespace Portal;

public static class PortalHostExtensions
{
    /// <summary>All of the portal's services: the core, Identity sign-in, authorization policies, MudBlazor, Blazor Server.</summary>
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        AddRootSettings(builder);
        SandboxHosting.AddSandboxDefaults(builder);
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddPortalCore(builder.Configuration, builder.Environment.ContentRootPath);

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddTransient(sp => Components.Pages.Audiences.LiveValidation.For(sp.GetRequiredService<Core.Audiences.AudienceEditor>()));
        services.AddMudServices(c =>
        {
            c.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            c.SnackbarConfiguration.VisibleStateDuration = 5000;
            c.SnackbarConfiguration.ShowCloseIcon = true;
        });

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        new IdentityBuilder(typeof(PortalUser), typeof(IdentityRole), services).AddSignInManager();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "portal.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // The API answers 401/403 instead of redirecting to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => ApiAware(ctx.HttpContext, ctx.RedirectUri, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx.HttpContext, ctx.RedirectUri, StatusCodes.Status403Forbidden);
        });

        services.AddAccountProtection(builder.Configuration);
        services.AddReverseProxy(builder.Configuration);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.RunJobs, p => p.RequireRole(Roles.Admin, Roles.Marketer))
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Admin, Roles.Marketer))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));

        // The REST API's JSON is snake_case throughout (the design's shapes), by policy rather than an attribute per field.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);

        // The REST API's OpenAPI document at /openapi/v1.json (signed-in users, like the API itself).
        services.AddOpenApi(o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Audience Portal API";
                document.Info.Description = "Rules, segments, analytics, jobs, audiences and uploads. Sign in first: every route takes the portal's "
                    + "sign-in cookie; viewers read, admins and marketers write. " + ApiRequestProof.Description;
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(ApiRequestProof.DescribeAsync);
        });
        services.AddPortalRequestLimits();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.AddScoped<ThemeState>();
        services.ReadKeyRingWhenNeeded(); // last: the registrations above add the framework's eager read again
        return builder;
    }

    public static WebApplication UsePortal(this WebApplication app)
    {
        app.UseReverseProxy();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseMiddleware<DatabaseGateMiddleware>();
        app.UseMiddleware<BodyLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseMiddleware<ApiRequestProof>();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAccountEndpoints();
        app.MapPortalApi();
        app.MapOpenApi().RequireAuthorization();
        SandboxHosting.MapSandbox(app);
        app.MapHealthChecks("/health").AllowAnonymous();

        app.Services.UsePortalCore();
        app.Lifetime.ApplicationStarted.Register(() => PrintBanner(app));
        return app;
    }

    private static Task ApiAware(HttpContext context, string redirectUri, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(redirectUri);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The design card keeps one appsettings.json at the repository root. It is read from beside the app when copied
    /// there, else from the content root's parent (<c>dotnet run --project Portal</c>), at the precedence of the usual
    /// appsettings.json: environment variables and the command line still override it.
    /// </summary>
    private static void AddRootSettings(WebApplicationBuilder builder)
    {
        var candidates = new[]
        {
            Path.Combine(builder.Environment.ContentRootPath, "appsettings.json"),
            Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, "..", "appsettings.json")),
            Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
        };
        var file = candidates.FirstOrDefault(File.Exists);
        if (file is null || file == candidates[0])
        {
            return; // already loaded by the default builder
        }

        // ConfigurationManager reloads itself when its sources change.
        var sources = builder.Configuration.Sources;
        var index = sources.Select((s, i) => (s, i)).FirstOrDefault(x => x.s is JsonConfigurationSource { Path: "appsettings.json" }).i;
        sources.Insert(index + 1, new JsonConfigurationSource
        {
            Path = Path.GetFileName(file),
            Optional = false,
            ReloadOnChange = false,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetDirectoryName(file)!),
        });
    }

    private static void PrintBanner(WebApplication app)
    {
        var url = app.Urls.FirstOrDefault() ?? "http://127.0.0.1:5080";
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        Console.WriteLine();
        Console.WriteLine($"Audience Portal is running at {url}");
        Console.WriteLine($"Database: {(settings.ConfigurationError is null ? settings.Describe() : "not configured (see the page)")}");
        Console.WriteLine("Press Ctrl+C to stop.");
        Console.WriteLine();
    }
}

/// <summary>Healthy once the database is ready; the reason otherwise (no personal data, no connection string).</summary>
internal sealed class DatabaseHealthCheck(DatabaseStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(status.State switch
        {
            DatabaseState.Ready => HealthCheckResult.Healthy(),
            DatabaseState.Starting => HealthCheckResult.Degraded(status.Message),
            _ => HealthCheckResult.Unhealthy(status.Message),
        });
}
