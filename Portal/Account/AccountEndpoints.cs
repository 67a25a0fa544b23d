using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Accounts;
using Portal.Core.Audit;

namespace Portal.Account;

internal static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/logout", async (SignInManager<PortalUser> signIn, AuditLog audit, HttpContext context, [FromForm] string? returnUrl) =>
        {
            var name = context.User.Identity?.Name;
            await signIn.SignOutAsync();
            if (name is not null)
            {
                await audit.WriteAsync(name, "user.signed-out", name, null);
            }

            return TypedResults.LocalRedirect("~/account/login");
        });
        return endpoints;
    }
}
